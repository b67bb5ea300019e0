import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { $, focused, until } from './helpers.ts';

export interface OpenedModal {
  /** The element whose shadow root holds the `<dialog>`. */
  host: HTMLElement;
  /** The control that opened it. */
  opener: HTMLElement;
}

/** What every modal dialog of ours must do, whatever it shows. */
export function describeModalBehaviour(name: string, open: () => Promise<OpenedModal>): void {
  describe(`${name}: modal behaviour`, () => {
    it('passes axe-core when open', async () => {
      const { host } = await open();
      await expect(host).to.be.accessible();
    });

    it('keeps Tab and Shift+Tab inside the dialog', async () => {
      const { host } = await open();
      const dialog = $(host, 'dialog');
      const first = dialog.querySelector<HTMLElement>('[data-modal-first]')!;
      const last = dialog.querySelector<HTMLElement>('[data-modal-last]')!;
      last.focus();
      await sendKeys({ press: 'Tab' });
      expect(focused()).to.equal(first, 'Tab on the last control wraps to the first');
      await sendKeys({ down: 'Shift' });
      await sendKeys({ press: 'Tab' });
      await sendKeys({ up: 'Shift' });
      expect(focused()).to.equal(last, 'Shift+Tab on the first control wraps to the last');
      for (let i = 0; i < 25; i++) {
        await sendKeys({ press: 'Tab' });
        expect(dialog.contains(host.shadowRoot!.activeElement), `Tab #${i + 1} stays in the dialog`).to.equal(true);
      }
    });

    it('closes on Escape and gives focus back to the opener', async () => {
      const { host, opener } = await open();
      await sendKeys({ press: 'Escape' });
      await until(() => !$<HTMLDialogElement>(host, 'dialog').open, 'the dialog closes');
      expect(focused()).to.equal(opener);
    });
  });
}
