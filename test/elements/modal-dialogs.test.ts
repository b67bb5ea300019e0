/// <reference types="mocha" />
import { fixture, html } from '@open-wc/testing';
import '../../elements/index.ts';
import type { SecretManagerDialog, SmConfirmDialog } from '../../elements/index.ts';
import { toProblem } from '../../elements/problems.ts';
import { $, newPlatform, until } from './support/helpers.ts';
import { describeModalBehaviour } from './support/modal-behaviour.ts';

describeModalBehaviour('<secret-manager-dialog>', async () => {
  const p = await newPlatform();
  const root = await fixture(html`<div>
    <button>Open</button>
    <secret-manager-dialog api-url=${p.apiUrl} token=${p.adminToken}></secret-manager-dialog>
  </div>`);
  const opener = root.querySelector('button')!;
  const host = root.querySelector<SecretManagerDialog>('secret-manager-dialog')!;
  opener.addEventListener('click', () => host.show());
  opener.focus();
  opener.click();
  await until(() => $(host, '.provider'), 'the providers');
  $(host, '.provider').click();
  await until(() => $(host, '#name'), 'the form');
  return { host, opener };
});

describeModalBehaviour('<sm-confirm-dialog>', async () => {
  const root = await fixture(html`<div><button>Delete</button><sm-confirm-dialog></sm-confirm-dialog></div>`);
  const opener = root.querySelector('button')!;
  const host = root.querySelector<SmConfirmDialog>('sm-confirm-dialog')!;
  opener.focus();
  void host.confirm({ title: 'Delete “x”?', body: 'Really?', confirmLabel: 'Delete', action: async () => {}, describe: (e) => toProblem(e) });
  await until(() => $<HTMLDialogElement>(host, 'dialog').open, 'the confirmation');
  return { host, opener };
});
