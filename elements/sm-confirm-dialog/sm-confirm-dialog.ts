import { html, LitElement, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { ModalController } from '../base/modal-controller.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import type { Problem } from '../problems.ts';
import { renderProblem } from '../problem-notice.ts';
import { controls } from '../styles/controls.ts';
import { tokens } from '../styles/tokens.ts';
import { styles } from './sm-confirm-dialog.styles.ts';

export interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel: string;
  /** Runs while the dialog shows a spinner; if it throws, the dialog stays open and shows why. */
  action(): Promise<void>;
  describe(error: unknown): Problem;
  /** Focus goes here afterwards when the opener no longer exists (e.g. a deleted row). */
  fallbackFocus?(): HTMLElement | null;
}

/**
 * @summary A modal confirmation for destructive actions: says what will happen, runs the
 * action with a spinner and keeps the dialog open with the reason when it fails.
 *
 * @csspart dialog - The dialog box.
 * @csspart problem - Why the action failed.
 *
 * @cssproperty --sm-color-danger - The confirm button.
 * @cssproperty --sm-color-background - Dialog background.
 */
@customElement('sm-confirm-dialog')
export class SmConfirmDialog extends LitElement {
  static override styles = [tokens, controls, styles];

  @state() private request: ConfirmRequest | undefined;
  @state() private busy = false;
  @state() private problem: Problem | undefined;
  @query('dialog') private dialog!: HTMLDialogElement;

  private settle: ((confirmed: boolean) => void) | undefined;
  private readonly modal = new ModalController(this, { dialog: () => this.dialog, requestClose: () => this.finish(false) });

  /** Opens the confirmation; resolves to whether the action ran and succeeded. */
  async confirm(request: ConfirmRequest): Promise<boolean> {
    this.request = request;
    this.problem = undefined;
    await this.updateComplete;
    this.modal.open();
    // The safe choice has focus first.
    this.renderRoot.querySelector<HTMLElement>('[data-modal-first]')?.focus();
    return new Promise((resolve) => (this.settle = resolve));
  }

  override render() {
    const r = this.request;
    return html`<dialog part="dialog" role="alertdialog" aria-labelledby="title" aria-describedby="body" @keydown=${this.modal.onKeydown} @cancel=${this.modal.onCancel}>
      ${r
        ? html`<h2 id="title">${r.title}</h2>
            <p id="body">${r.body}</p>
            ${this.problem ? renderProblem(this.problem) : nothing}
            <div class="actions">
              <button type="button" class="button" data-modal-first @click=${() => this.finish(false)}>${msg.cancel}</button>
              <button type="button" class="button danger" data-modal-last aria-disabled=${this.busy ? 'true' : 'false'} @click=${this.run}>
                ${this.busy ? html`<span class="spinner" aria-hidden="true"></span>` : icons.trash}${r.confirmLabel}
              </button>
            </div>`
        : nothing}
    </dialog>`;
  }

  private async run(): Promise<void> {
    const r = this.request;
    if (!r || this.busy) return;
    this.busy = true;
    this.problem = undefined;
    try {
      await r.action();
      this.busy = false;
      this.finish(true);
    } catch (e) {
      this.busy = false;
      this.problem = r.describe(e);
    }
  }

  private finish(confirmed: boolean): void {
    if (this.busy) return;
    this.modal.close(this.request?.fallbackFocus?.());
    this.request = undefined;
    this.settle?.(confirmed);
    this.settle = undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sm-confirm-dialog': SmConfirmDialog;
  }
}
