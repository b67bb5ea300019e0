import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { deepActiveElement } from './focus.ts';

export interface ModalOptions {
  dialog(): HTMLDialogElement | null | undefined;
  /** Escape and the native cancel ask here, so a busy dialog can refuse to close. */
  requestClose(): void;
}

/**
 * What our modal dialogs share: the native top layer (the page behind is inert and no
 * z-index of the host can cover us), Tab and Shift+Tab wrap inside, Escape asks to close,
 * and focus returns to the control that opened the dialog.
 */
export class ModalController implements ReactiveController {
  private opener: HTMLElement | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: ModalOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  get isOpen(): boolean {
    return this.options.dialog()?.open ?? false;
  }

  open(): void {
    this.opener = deepActiveElement();
    const dialog = this.options.dialog();
    if (dialog && !dialog.open) dialog.showModal();
  }

  /** `fallback` gets focus when the opener is gone (e.g. the row that was just deleted). */
  close(fallback?: HTMLElement | null): void {
    const dialog = this.options.dialog();
    if (dialog?.open) dialog.close();
    const target = this.opener?.isConnected ? this.opener : fallback;
    this.opener = null;
    target?.focus();
  }

  readonly onKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      // Handled here rather than by the native cancel, which Chromium may skip without user activation.
      event.preventDefault();
      this.options.requestClose();
      return;
    }
    if (event.key !== 'Tab') return;
    // Templates mark the first and last controls of whatever the dialog shows right now.
    const dialog = this.options.dialog();
    const first = dialog?.querySelector<HTMLElement>('[data-modal-first]');
    const last = dialog?.querySelector<HTMLElement>('[data-modal-last]');
    const active = this.host.shadowRoot?.activeElement;
    if (event.shiftKey && (active === first || active === dialog)) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first?.focus();
    }
  };

  readonly onCancel = (event: Event): void => {
    event.preventDefault();
    this.options.requestClose();
  };
}
