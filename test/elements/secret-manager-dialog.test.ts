/// <reference types="mocha" />
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { createClient } from '../../elements/client.ts';
import '../../elements/index.ts';
import type { SecretManagerDialog, SecretManagerList } from '../../elements/index.ts';
import {
  $,
  $$,
  breakConnection,
  byText,
  createVaultConnection,
  focused,
  newPlatform,
  textOf,
  typeInto,
  until,
  vaultConfig,
  vaultLatency,
  type TestPlatform,
} from './support/helpers.ts';

describe('<secret-manager-dialog>', () => {
  let p: TestPlatform;
  let dialog: SecretManagerDialog;

  beforeEach(async () => {
    p = await newPlatform();
    dialog = await fixture<SecretManagerDialog>(html`<secret-manager-dialog api-url=${p.apiUrl} token=${p.adminToken}></secret-manager-dialog>`);
  });

  const field = <T extends HTMLElement = HTMLInputElement>(selector: string) => $<T>(dialog, selector);
  const saveButton = () => $(dialog, 'button[type=submit]');
  const submit = () => saveButton().click();
  const errorOf = (id: string) => textOf($(dialog, `#${field(id).getAttribute('aria-describedby')!.split(' ').pop()}`));

  async function openVaultForm(): Promise<void> {
    dialog.show();
    await until(() => $(dialog, '.provider'), 'the provider cards');
    byText(dialog, '.provider', 'HashiCorp Vault').click();
    await until(() => $(dialog, '#name'), 'the Vault form');
  }

  function fillVault(values: { name?: string; url?: string; token?: string }): void {
    if (values.name !== undefined) typeInto(field('#name'), values.name);
    if (values.url !== undefined) typeInto(field('#f-url'), values.url);
    if (values.token !== undefined) typeInto(field('#f-token'), values.token);
  }

  it('passes axe-core at each step and with errors shown', async () => {
    dialog.show();
    await until(() => $(dialog, '.provider'), 'the provider cards');
    await expect(dialog).to.be.accessible();
    byText(dialog, '.provider', 'HashiCorp Vault').click();
    await until(() => $(dialog, '#name'), 'the Vault form');
    $<HTMLDetailsElement>(dialog, 'details').open = true;
    await expect(dialog).to.be.accessible();
    submit();
    await until(() => field('#name').getAttribute('aria-invalid'), 'errors');
    await expect(dialog).to.be.accessible();
  });

  it('offers every provider as a card with its logo', async () => {
    dialog.show();
    await until(() => $(dialog, '.provider'), 'the provider cards');
    const cards = $$(dialog, '.provider');
    expect(cards.map((c) => textOf(c.querySelector('strong')!))).to.deep.equal(['HashiCorp Vault', 'AWS Secrets Manager', 'Azure Key Vault', 'Google Cloud Secret Manager']);
    for (const card of cards) expect(card.querySelector('svg')?.getBoundingClientRect().width, textOf(card)).to.equal(36);
  });

  it('renders every auth method of the provider from providers.list metadata', async () => {
    await openVaultForm();
    const methods = $$<HTMLInputElement>(dialog, 'input[name=authMethod]');
    expect(methods.map((m) => m.parentElement!.textContent!.trim())).to.deep.equal(['Token', 'AppRole', 'Kubernetes']);
    expect(textOf(field('label[for=f-url]'))).to.equal('Vault address');
    expect(field('#f-token').type).to.equal('password', 'secret fields are masked');
    const reveal = byText(dialog, 'button', 'Show Token');
    reveal.click();
    await dialog.updateComplete;
    expect(field('#f-token').type).to.equal('text');
    expect(reveal.getAttribute('aria-pressed')).to.equal('true');
    reveal.click();
    await dialog.updateComplete;
    expect(field('#f-token').type).to.equal('password', 'and masked again');
    expect(reveal.getAttribute('aria-pressed')).to.equal('false');
    expect(field('#f-kvVersion').closest('details'), 'advanced fields are folded away').to.exist;
    expect($(dialog, 'a.guide').getAttribute('href')).to.equal('https://developer.hashicorp.com/vault/docs/secrets/kv');

    methods[1]!.click();
    await dialog.updateComplete;
    expect(field('#f-roleId')).to.exist;
    expect(field('#f-secretId').type).to.equal('password');
    expect(() => field('#f-token')).to.throw();
  });

  it('creates a Vault connection: saving tests it first, with a spinner', async () => {
    await openVaultForm();
    fillVault({ name: 'Vault production', url: p.vault.url, token: p.vault.readToken });
    $<HTMLDetailsElement>(dialog, 'details').open = true;
    typeInto(field('#f-kvMount'), 'secret');
    const kvVersion = field<HTMLSelectElement>('#f-kvVersion');
    kvVersion.value = '2';
    kvVersion.dispatchEvent(new Event('change'));

    await vaultLatency(400);
    try {
      const created = oneEvent(dialog, 'sm-connection-created');
      submit();
      await until(() => saveButton().getAttribute('aria-disabled') === 'true', 'busy');
      expect(textOf(saveButton())).to.equal('Testing connection…');
      expect(saveButton().querySelector('.spinner')).to.exist;
      const { connection } = (await created).detail;
      expect(connection).to.include({ name: 'Vault production', provider: 'vault', authMethod: 'token', scope: 'PLATFORM' });
      expect(connection.config).to.deep.equal({ url: p.vault.url, kvMount: 'secret', kvVersion: 2, token: { set: true } });
    } finally {
      await vaultLatency(0);
    }
    await until(() => !dialog.open, 'the dialog closes');
    expect((await p.api.secretManagers.list.query()).map((c) => c.name)).to.deep.equal(['Vault production']);
  });

  it('shows why a connection fails (AUTHENTICATION_FAILED), keeps what was typed and saves nothing', async () => {
    await openVaultForm();
    fillVault({ name: 'Vault broken', url: p.vault.url, token: 'hvs.not-a-real-token' });
    submit();
    const problem = await until(() => $(dialog, '[part=problem]'), 'the failure');
    expect(textOf(problem)).to.contain('The secret manager rejected the credentials').and.contain('AUTHENTICATION_FAILED');
    expect(problem.querySelector('.message')!.textContent).to.have.length.greaterThan(5, "the provider's message");
    expect(textOf(problem.querySelector('.hint')!)).to.contain('Check the token', "the provider's troubleshooting hint");
    expect(focused()).to.equal(problem, 'focus moves to the explanation');
    expect(field('#name').value).to.equal('Vault broken');
    expect(field('#f-url').value).to.equal(p.vault.url);
    expect(field('#f-token').value).to.equal('hvs.not-a-real-token');
    expect(dialog.open).to.equal(true);
    expect(await p.api.secretManagers.list.query()).to.deep.equal([]);
  });

  it('shows CONNECTION_FAILED with its hint when the address does not answer', async () => {
    await openVaultForm();
    fillVault({ name: 'Vault nowhere', url: 'http://127.0.0.1:9', token: 'hvs.whatever' });
    submit();
    const problem = await until(() => $(dialog, '[part=problem]'), 'the failure', 15_000);
    expect(textOf(problem)).to.contain('Could not reach the secret manager').and.contain('CONNECTION_FAILED').and.contain('firewall');
  });

  it('shows SECRET_NOT_FOUND and PERMISSION_DENIED with their hints when the test path cannot be read', async () => {
    await openVaultForm();
    fillVault({ name: 'Vault', url: p.vault.url, token: p.vault.readToken });
    const cases = [
      { path: 'secret/app/does-not-exist', expected: ['Secret not found', 'SECRET_NOT_FOUND', 'Names are case-sensitive'] },
      { path: 'secret/billing/db', expected: ['Permission denied', 'PERMISSION_DENIED', 'Grant the read capability on secret/billing/db'] },
    ];
    for (const { path, expected } of cases) {
      typeInto(field('#f-testPath'), path);
      submit();
      const problem = await until(() => textOf($(dialog, '[part=problem]')).includes(expected[1]!) && $(dialog, '[part=problem]'), expected[1]!);
      for (const text of expected) expect(textOf(problem)).to.contain(text);
      expect(field('#f-testPath').value, 'what was typed stays').to.equal(path);
    }
    expect(await p.api.secretManagers.list.query()).to.deep.equal([], 'nothing saved');
  });

  it('checks input as the server does, and puts the server’s field messages on the fields', async () => {
    await openVaultForm();
    submit();
    await until(() => field('#name').getAttribute('aria-invalid'), 'client-side errors');
    expect(errorOf('#name')).to.equal('Enter a name');
    expect(errorOf('#f-url')).to.equal('Vault address is required');
    expect(errorOf('#f-token')).to.equal('Token is required');
    expect(focused()).to.equal(field('#name'), 'focus goes to the first field to fix');

    fillVault({ name: 'Vault', url: 'vault.example.com', token: 'hvs.x' });
    submit();
    await until(() => errorOf('#f-url') === 'Enter a full URL, like https://vault.example.com:8200', 'the URL is checked before sending');
    expect(focused()).to.equal(field('#f-url'));

    // Parsers accept "http:host" as http://host/; zod asks for the "//", and says so on the field.
    fillVault({ url: 'http:vault.example.com' });
    submit();
    await until(() => errorOf('#f-url').includes('Enter an http(s) URL'), 'the server rejects the URL');
    expect(focused()).to.equal(field('#f-url'));

    await createVaultConnection(p, 'Taken');
    fillVault({ name: 'Taken', url: p.vault.url, token: p.vault.readToken });
    submit();
    await until(() => errorOf('#name').includes('already exists'), 'the name is taken');
  });

  it('checks a field as the user leaves it, before any request, and clears the message once fixed', async () => {
    let requests = 0;
    dialog.client = createClient({
      url: p.apiUrl,
      getToken: () => {
        requests++;
        return p.adminToken;
      },
    });
    await openVaultForm();
    const sentBefore = requests;
    const url = field('#f-url');
    const leave = (input: HTMLElement) => input.dispatchEvent(new Event('change', { bubbles: true }));

    fillVault({ name: 'Vault', url: 'vault.example.com', token: p.vault.readToken });
    leave(url);
    await dialog.updateComplete;
    expect(url.getAttribute('aria-invalid')).to.equal('true');
    expect(url.getAttribute('aria-describedby')).to.equal('h-url e-url');
    expect(errorOf('#f-url')).to.equal('Enter a full URL, like https://vault.example.com:8200');

    $<HTMLDetailsElement>(dialog, 'details').open = true;
    typeInto(field('#f-kvMount'), '/secret');
    leave(field('#f-kvMount'));
    submit();
    await until(() => focused() === url, 'focus on the first field to fix');
    expect(errorOf('#f-kvMount')).to.equal('Must match the expected format, like secret');
    expect(requests).to.equal(sentBefore, 'nothing was sent');

    typeInto(url, p.vault.url);
    await dialog.updateComplete;
    expect(url.hasAttribute('aria-invalid'), 'fixed while typing').to.equal(false);
    expect(url.getAttribute('aria-describedby')).to.equal('h-url');
    expect($$(dialog, '.error').map(textOf)).to.deep.equal(['Must match the expected format, like secret']);
    expect(await p.api.secretManagers.list.query()).to.deep.equal([]);
  });

  it('links each field to its setup notes, named after the field', async () => {
    await openVaultForm();
    $<HTMLDetailsElement>(dialog, 'details').open = true;
    const [vault] = await p.api.providers.list.query();
    const fields = vault!.authMethods.find((m) => m.id === 'token')!.fields;
    expect(fields.filter((f) => f.docsUrl).length).to.be.greaterThan(4);
    for (const f of fields) {
      const link = field(`#f-${f.name}`).closest('.field')!.querySelector<HTMLAnchorElement>('a');
      if (!f.docsUrl) {
        expect(link, f.name).to.equal(null);
        continue;
      }
      expect(link!.getAttribute('href'), f.name).to.equal(f.docsUrl);
      expect(link!.target).to.equal('_blank');
      expect(link!.rel).to.equal('noopener noreferrer');
      expect(link!.getAttribute('aria-label')).to.equal(`Setup notes for ${f.label} (opens in a new tab)`);
      expect(textOf(link!)).to.equal('Setup notes');
    }
    const address = field('#f-url').closest('.field')!.querySelector('a')!;
    expect(address.getAttribute('href')).to.equal('https://developer.hashicorp.com/vault/docs/commands#vault_addr');
    expect(textOf($(dialog, '#h-url')), 'the help text alone describes the input').to.equal('The address of the Vault server, as in VAULT_ADDR.');
    expect($(dialog, 'a.guide[href="https://developer.hashicorp.com/vault/docs/secrets/kv"]'), 'the provider guide stays').to.exist;
    await expect(dialog).to.be.accessible();
  });

  it('edits a connection: secrets show "Unchanged" and stay unchanged unless typed', async () => {
    const saved = await createVaultConnection(p, 'Vault production');
    dialog.show(saved);
    await until(() => field('#name').value === 'Vault production', 'the saved values');
    expect(textOf($(dialog, 'h2'))).to.equal('Edit “Vault production”');
    expect($$(dialog, '.provider')).to.deep.equal([], 'the provider cannot change');
    const token = field('#f-token');
    expect(token.value).to.equal('');
    expect(token.placeholder).to.equal('Unchanged');
    expect(token.required).to.equal(false);
    expect(textOf(token.closest('.field')!)).to.contain('Leave empty to keep it');

    typeInto(field('#name'), 'Vault prod');
    const updated = oneEvent(dialog, 'sm-connection-updated');
    submit();
    expect((await updated).detail.connection).to.include({ id: saved.id, name: 'Vault prod' });
    expect((await p.api.secretManagers.get.query({ id: saved.id })).config['token']).to.deep.equal({ set: true });
    expect(await p.api.secretManagers.test.mutate({ id: saved.id })).to.include({ ok: true }, 'the kept token still works');

    dialog.show(saved);
    await until(() => field('#name').value === 'Vault prod', 'the saved values again');
    typeInto(field('#f-token'), 'hvs.typed-but-wrong');
    submit();
    await until(() => $(dialog, '[part=problem]'), 'the typed token is tested');
    expect(textOf($(dialog, '[part=problem]'))).to.contain('AUTHENTICATION_FAILED');
    expect(await p.api.secretManagers.test.mutate({ id: saved.id })).to.include({ ok: true }, 'nothing was saved');
  });

  it('edits a connection whose stored credentials cannot be decrypted from its listing: every field again, then it works under the same id', async () => {
    const saved = await createVaultConnection(p, 'Vault lost key');
    await breakConnection(saved.id, 'missing-key');
    dialog.show(saved);
    await until(() => field('#name').value === 'Vault lost key', 'the listed values');
    expect(textOf($(dialog, '[part=problem]'))).to.contain('The stored credentials cannot be decrypted').and.contain('key version 7').and.contain('Enter every setting');
    expect(field('#f-url').value).to.equal('');
    expect(field('#f-token').required).to.equal(true);
    await expect(dialog).to.be.accessible();

    fillVault({ url: p.vault.url, token: p.vault.readToken });
    const updated = oneEvent(dialog, 'sm-connection-updated');
    submit();
    const { connection } = (await updated).detail;
    expect(connection.id).to.equal(saved.id);
    expect(connection.status.state).to.equal('connected');
    expect(await p.api.secretManagers.test.mutate({ id: saved.id })).to.include({ ok: true });
  });

  it('asks for the stored secrets again when an edit changes where they go, and offers to keep them once it is changed back', async () => {
    const saved = await createVaultConnection(p, 'Vault production');
    dialog.show(saved);
    await until(() => field('#name').value === 'Vault production', 'the saved values');
    const token = field('#f-token');
    const keeps = () => !token.required && token.placeholder === 'Unchanged' && textOf(token.closest('.field')!).includes('Leave empty to keep it');
    expect(keeps(), 'a stored token may stay empty').to.equal(true);

    typeInto(field('#f-url'), 'http://127.0.0.1:9/somewhere-else');
    await dialog.updateComplete;
    expect(token.required, 'the token is needed again').to.equal(true);
    expect(token.placeholder).to.not.equal('Unchanged');
    const note = textOf($(dialog, `#${token.getAttribute('aria-describedby')!.split(' ')[0]}`));
    expect(note).to.contain('Enter it again: a stored credential is only sent to the address and sign-in it was entered for');
    expect(textOf(token.closest('.field')!)).to.not.contain('Leave empty to keep it');
    await expect(dialog).to.be.accessible();

    submit();
    await until(() => token.getAttribute('aria-invalid'), 'the missing token is flagged before anything is sent');
    expect(errorOf('#f-token')).to.equal('Token is required');
    expect(focused()).to.equal(token);
    expect((await p.api.secretManagers.get.query({ id: saved.id })).config['url']).to.equal(p.vault.url, 'nothing was saved');

    typeInto(field('#f-url'), ` ${p.vault.url}`);
    await dialog.updateComplete;
    expect(keeps(), 'the address is back: the stored token may stay empty again').to.equal(true);

    byText(dialog, 'label', 'AppRole').click();
    await dialog.updateComplete;
    byText(dialog, 'label', 'Token').click();
    await dialog.updateComplete;
    expect(keeps(), 'back to the saved auth method').to.equal(true);
    const updated = oneEvent(dialog, 'sm-connection-updated');
    submit();
    expect((await updated).detail.connection.config['token']).to.deep.equal({ set: true });
  });

  it('puts the server’s CREDENTIALS_REQUIRED on the secret fields and keeps everything typed', async () => {
    const saved = await createVaultConnection(p, 'Vault production');
    dialog.show(saved);
    await until(() => field('#name').value === 'Vault production', 'the saved values');
    // Someone else moves the connection meanwhile: this form's address is no longer the saved one.
    await p.api.secretManagers.update.mutate({ id: saved.id, config: { ...vaultConfig(p), url: `${p.vault.url}/` } });

    typeInto(field('#name'), 'Vault renamed');
    submit();
    const token = field('#f-token');
    await until(() => token.getAttribute('aria-invalid'), 'the server names the token');
    expect(errorOf('#f-token')).to.equal('Enter Token again: Vault address changed.');
    expect(textOf($(dialog, '[part=problem]'))).to.contain('Enter the credentials again');
    expect(token.required, 'the token no longer offers to stay empty').to.equal(true);
    expect(field('#name').value).to.equal('Vault renamed');
    expect(field('#f-url').value).to.equal(p.vault.url);

    typeInto(token, p.vault.readToken);
    const updated = oneEvent(dialog, 'sm-connection-updated');
    submit();
    expect((await updated).detail.connection).to.include({ name: 'Vault renamed' });
  });

  it('limits a connection to projects chosen in a searchable multi-select', async () => {
    const [marketing, billing] = [await p.api.projects.create.mutate({ name: 'Marketing' }), await p.api.projects.create.mutate({ name: 'Billing' })];
    const saved = await createVaultConnection(p, 'Vault production');
    dialog.show(saved);
    await until(() => field('#name').value === 'Vault production', 'the saved values');

    byText(dialog, 'label.choice', 'Selected projects').click();
    await dialog.updateComplete;
    submit();
    const select = await until(() => $(dialog, 'sm-project-select.invalid'), 'at least one project is needed');
    expect(textOf($(select, '.error'))).to.equal('Choose at least one project');

    const search = $<HTMLInputElement>(select, 'input');
    search.focus();
    await sendKeys({ type: 'bil' });
    await until(() => $$(select, '[role=option]').length === 1, 'the search narrows the list');
    expect(textOf($(select, '[role=option]'))).to.equal('Billing');
    await sendKeys({ press: 'Enter' });
    await until(() => $$(select, '.chip').length === 1, 'Billing is chosen');
    await sendKeys({ press: 'Escape' });
    expect(dialog.open, 'the first Escape only closes the list').to.equal(true);

    const updated = oneEvent(dialog, 'sm-connection-updated');
    submit();
    const { connection } = (await updated).detail;
    expect(connection.scope).to.equal('PROJECT');
    expect(connection.projects).to.deep.equal([{ id: billing.id, name: 'Billing' }]);
    expect((await p.api.secretManagers.list.query({ projectId: marketing.id })).map((c) => c.id)).to.deep.equal([]);
  });

  it('moves through the projects with the arrow keys, wrapping around at either end', async () => {
    for (const name of ['Alpha', 'Beta', 'Gamma']) await p.api.projects.create.mutate({ name });
    await openVaultForm();
    byText(dialog, 'label.choice', 'Selected projects').click();
    await dialog.updateComplete;
    const select = $(dialog, 'sm-project-select');
    $<HTMLInputElement>(select, 'input').focus();
    const active = async (key: string) => {
      await sendKeys({ press: key });
      return textOf(await until(() => $(select, '[role=option].active'), `an active option after ${key}`));
    };
    expect(await active('ArrowUp'), 'from none, Arrow Up goes to the last').to.equal('Gamma');
    expect(await active('ArrowDown')).to.equal('Alpha');
    expect(await active('ArrowUp')).to.equal('Gamma');
    expect(await active('ArrowUp')).to.equal('Beta');
  });

  it('tests a connection without saving it', async () => {
    await openVaultForm();
    fillVault({ name: 'Vault', url: p.vault.url, token: p.vault.readToken });
    byText(dialog, 'button', 'Test connection').click();
    const success = await until(() => $(dialog, '.notice.success'), 'the test result');
    expect(textOf(success)).to.contain('The connection works');
    expect(await p.api.secretManagers.list.query()).to.deep.equal([]);
  });

  it('can be used with the keyboard alone, from the list’s "New connection" button', async () => {
    const list = await fixture<SecretManagerList>(html`<secret-manager-list api-url=${p.apiUrl} token=${p.adminToken}></secret-manager-list>`);
    await until(() => $(list, '[part=empty]'), 'the empty list');
    const inner = $<SecretManagerDialog>(list, 'secret-manager-dialog');
    const tabTo = async (predicate: (e: HTMLElement | null) => boolean, what: string) => {
      for (let i = 0; i < 20 && !predicate(focused()); i++) await sendKeys({ press: 'Tab' });
      expect(predicate(focused()), `Tab reaches ${what}`).to.equal(true);
    };

    await tabTo((e) => e?.getAttribute('part') === 'new-button', 'New connection');
    const opener = focused();
    await sendKeys({ press: 'Enter' });
    await until(() => focused()?.classList.contains('provider'), 'focus on the first provider');
    await sendKeys({ press: 'Enter' });
    await until(() => focused()?.id === 'name', 'focus on the name');
    await sendKeys({ type: 'Vault by keyboard' });
    await tabTo((e) => e?.id === 'f-url', 'the address');
    await sendKeys({ type: p.vault.url });
    await tabTo((e) => e?.id === 'f-token', 'the token');
    await sendKeys({ type: p.vault.readToken });
    const created = oneEvent(list, 'sm-connection-created');
    await sendKeys({ press: 'Enter' });
    expect((await created).detail.connection.name).to.equal('Vault by keyboard');
    await until(() => !inner.open, 'the dialog closes');
    expect(focused()).to.equal(opener, 'focus returns to "New connection"');
    await until(() => textOf($(list, 'tbody')).includes('Vault by keyboard'), 'the new row');
  });
});
