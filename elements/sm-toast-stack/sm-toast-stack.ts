import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import { controls } from '../styles/controls.ts';
import { tokens } from '../styles/tokens.ts';

const VISIBLE_MS = 8000;

/**
 * @summary Confirmation toasts, announced politely to screen readers. Lives in the top
 * layer (a manual popover), so no stacking context of the host page can hide it.
 *
 * @csspart toast - One message.
 *
 * @cssproperty --sm-color-success - The check mark.
 * @cssproperty --sm-shadow - Shadow of a toast.
 */
@customElement('sm-toast-stack')
export class SmToastStack extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      [popover] {
        inset: auto 16px 16px auto;
        margin: 0;
        padding: 0;
        border: 0;
        background: transparent;
        overflow: visible;
        pointer-events: none;
      }
      .toast {
        display: flex;
        align-items: center;
        gap: 10px;
        width: min(420px, calc(100vw - 32px));
        margin-top: 8px;
        padding: 10px 8px 10px 14px;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_bg);
        box-shadow: var(--_shadow);
        pointer-events: auto;
      }
      .toast > .icon {
        color: var(--_success);
      }
      .toast span {
        flex: 1;
      }
    `,
  ];

  @state() private toasts: { id: number; text: string }[] = [];
  private nextId = 0;

  show(text: string): void {
    const id = this.nextId++;
    this.toasts = [...this.toasts, { id, text }];
    setTimeout(() => this.dismiss(id), VISIBLE_MS);
  }

  override updated(): void {
    // The live region must stay rendered (and open) for additions to be announced.
    const stack = this.renderRoot.querySelector<HTMLElement>('[popover]');
    if (stack?.isConnected && !stack.matches(':popover-open')) stack.showPopover();
  }

  override render() {
    return html`<div popover="manual" role="status" aria-live="polite">
      ${repeat(
        this.toasts,
        (t) => t.id,
        (t) => html`<div class="toast" part="toast">
          ${icons.check}<span>${t.text}</span>
          <button type="button" class="icon-button" aria-label=${msg.dismiss} @click=${() => this.dismiss(t.id)}>${icons.close}</button>
        </div>`,
      )}
    </div>`;
  }

  private dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sm-toast-stack': SmToastStack;
  }
}
