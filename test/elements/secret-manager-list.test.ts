/// <reference types="mocha" />
import { expect, fixture, fixtureCleanup, html, oneEvent } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import { nothing } from 'lit';
import { configure, setMessages, type SecretManagerDialog, type SecretManagerList } from '../../elements/index.ts';
import {
  $,
  $$,
  breakConnection,
  byText,
  createAwsConnection,
  createVaultConnection,
  focused,
  newPlatform,
  newVaultToken,
  putVaultSecret,
  revokeVaultToken,
  serverLogsContain,
  textOf,
  typeInto,
  until,
  vaultConfig,
  vaultLatency,
  type TestPlatform,
} from './support/helpers.ts';
import { memberToken, projectAdminToken } from './support/members.ts';

describe('<secret-manager-list>', () => {
  let p: TestPlatform;

  beforeEach(async () => {
    p = await newPlatform();
  });

  async function mountList(options: { pageSize?: number; theme?: 'light' | 'dark' } = {}): Promise<SecretManagerList> {
    const list = await fixture<SecretManagerList>(
      html`<secret-manager-list api-url=${p.apiUrl} token=${p.adminToken} page-size=${options.pageSize ?? 25} theme=${options.theme ?? nothing}></secret-manager-list>`,
    );
    await until(() => list.shadowRoot!.querySelector('table:not(.skeleton), [part=empty], [part=problem]'), 'the list loads');
    return list;
  }

  const rowNames = (list: SecretManagerList) => $$(list, 'tbody tr').map((r) => textOf(r.querySelector('.name')!));
  const hasButton = (list: SecretManagerList, text: string) => $$(list, 'button').some((b) => textOf(b).includes(text));

  it('passes axe-core: empty, with connections, and with each dialog open', async () => {
    let list = await mountList();
    await expect(list).to.be.accessible();

    await createVaultConnection(p, 'Vault production');
    list = await mountList();
    await expect(list).to.be.accessible();

    byText(list, 'button', 'New connection').click();
    const dialog = $<SecretManagerDialog>(list, 'secret-manager-dialog');
    await until(() => $(dialog, '.provider'), 'provider cards');
    await expect(dialog).to.be.accessible();
    $(dialog, '.provider').click();
    await until(() => $(dialog, '#name'), 'the form');
    byText(dialog, 'label.choice', 'Selected projects').click();
    await expect(dialog).to.be.accessible();
    dialog.close();

    byText(list, 'button', 'Delete Vault production').click();
    const confirm = $(list, 'sm-confirm-dialog');
    await until(() => $(confirm, 'dialog[open]'), 'the confirmation');
    await expect(confirm).to.be.accessible();
  });

  it('explains what a connection is when there is none, and offers to create one', async () => {
    const list = await mountList();
    const empty = $(list, '[part=empty]');
    expect(textOf(empty)).to.contain('Connect your first secret manager');
    expect(textOf(empty)).to.contain('a reference like {{sm:connection:path}} instead of a pasted credential');
    empty.querySelector('button')!.click();
    await until(() => $(list, 'secret-manager-dialog', '.provider'), 'the dialog offers the providers');
  });

  it('renders the connections from the server: logo, provider, scope badge, status, dates', async () => {
    const project = await p.api.projects.create.mutate({ name: 'Marketing' });
    await createVaultConnection(p, 'Vault production');
    await createVaultConnection(p, 'Vault marketing', { scope: 'PROJECT', projectIds: [project.id] });
    const list = await mountList();

    expect(rowNames(list)).to.deep.equal(['Vault marketing', 'Vault production']);
    const [marketing, production] = $$(list, 'tbody tr');
    expect(marketing!.querySelector('svg.logo')).to.exist;
    expect(textOf(marketing!)).to.contain('HashiCorp Vault').and.contain('Token');
    expect(textOf(marketing!.querySelector('.scope')!)).to.equal('Project Marketing');
    expect(textOf(production!)).to.contain('Platform').and.contain('Connected').and.contain('Created');
    expect(production!.querySelector('time')!.getAttribute('datetime')).to.match(/^\d{4}-\d\d-\d\dT/);
  });

  it('shows a connection whose stored credentials cannot be decrypted, with what to do, beside the others as usual', async () => {
    const lost = await createVaultConnection(p, 'Vault lost key');
    const damaged = await createVaultConnection(p, 'Vault damaged');
    await createVaultConnection(p, 'Vault sound');
    await breakConnection(lost.id, 'missing-key');
    await breakConnection(damaged.id, 'corrupted');
    const list = await mountList();

    expect(rowNames(list)).to.deep.equal(['Vault damaged', 'Vault lost key', 'Vault sound']);
    const [brokenRow, lostRow, soundRow] = $$(list, 'tbody tr');
    expect(textOf(lostRow!.querySelector('.status')!)).to.equal('Cannot decrypt');
    expect(textOf(lostRow!)).to.contain('encrypted with key version 7').and.contain('Add key version 7 back to SM_ENCRYPTION_KEYS').and.contain('rotate-keys');
    expect(textOf(brokenRow!.querySelector('.status')!)).to.equal('Cannot decrypt');
    expect(textOf(brokenRow!)).to.contain('changed or damaged').and.contain('Restore the connection from a database backup');
    expect(textOf(soundRow!)).to.contain('Connected').and.not.contain('Cannot decrypt');
    await expect(list).to.be.accessible();
  });

  it('tells the user the server cannot be reached, and retries', async () => {
    const list = await fixture<SecretManagerList>(html`<secret-manager-list api-url="http://127.0.0.1:9" token="x"></secret-manager-list>`);
    const problem = await until(() => $(list, '[part=problem]'), 'the problem');
    expect(textOf(problem)).to.contain('Cannot reach the Secret Managers server').and.contain('http://127.0.0.1:9');
    list.apiUrl = p.apiUrl;
    list.token = p.adminToken;
    await until(() => $(list, '[part=empty]'), 'loaded after the settings changed');
  });

  it('asks getToken again after a 401 (sm-auth-expired) and loads with the refreshed token', async () => {
    await createVaultConnection(p, 'Vault production');
    let refreshed = false;
    const handedOut: string[] = [];
    configure({ url: p.apiUrl, getToken: () => (handedOut.push(refreshed ? p.adminToken : 'sm_admin_revoked-key'), handedOut.at(-1)) });
    try {
      const onExpired = () => (refreshed = true);
      document.addEventListener('sm-auth-expired', onExpired);
      const list = await fixture<SecretManagerList>(html`<secret-manager-list></secret-manager-list>`);
      await until(() => $$(list, 'tbody tr').length === 1, 'the list loads with the fresh token');
      document.removeEventListener('sm-auth-expired', onExpired);
      expect(refreshed, 'sm-auth-expired reached the host').to.equal(true);
      expect(handedOut[0]).to.equal('sm_admin_revoked-key');
      expect(handedOut.at(-1)).to.equal(p.adminToken);
      expect($$(list, '[part=problem]')).to.have.length(0);
    } finally {
      fixtureCleanup();
      configure({});
    }
  });

  it('says the token expired or is invalid, and tells the host (sm-auth-expired, then sm-unauthorized)', async () => {
    const expired = oneEvent(document, 'sm-auth-expired');
    const unauthorized = oneEvent(document, 'sm-unauthorized');
    const list = await fixture<SecretManagerList>(html`<secret-manager-list api-url=${p.apiUrl} token="sm_admin_not-a-real-key"></secret-manager-list>`);
    await expired;
    await unauthorized;
    const problem = await until(() => $(list, '[part=problem]'), 'the problem');
    expect(textOf(problem)).to.contain('Your session has expired or the token is not valid').and.contain('Sign in again');
  });

  it('sorts and filters by name, provider and scope, one page at a time', async () => {
    const project = await p.api.projects.create.mutate({ name: 'Billing' });
    const names = ['delta', 'Alpha', 'charlie', 'Bravo', 'echo', 'foxtrot', 'golf'];
    for (const [i, name] of names.entries()) {
      await createVaultConnection(p, name, i % 3 === 0 ? { scope: 'PROJECT', projectIds: [project.id] } : {});
    }
    const list = await mountList({ pageSize: 3 });
    expect(rowNames(list)).to.deep.equal(['Alpha', 'Bravo', 'charlie']);
    expect(textOf($(list, '[part=pager]'))).to.contain('1–3 of 7').and.contain('Page 1 of 3');

    byText(list, '[part=pager] button', 'Next page').click();
    await list.updateComplete;
    expect(rowNames(list)).to.deep.equal(['delta', 'echo', 'foxtrot']);

    const nameHeader = byText(list, 'th', 'Name');
    nameHeader.querySelector('button')!.click();
    await list.updateComplete;
    expect(nameHeader.getAttribute('aria-sort')).to.equal('descending');
    expect(rowNames(list)).to.deep.equal(['golf', 'foxtrot', 'echo'], 'sorting goes back to page 1');

    byText(list, 'th', 'Scope').querySelector('button')!.click();
    await list.updateComplete;
    expect(rowNames(list)).to.deep.equal(['Alpha', 'charlie', 'echo'], 'PLATFORM first, then by name');

    typeInto($(list, 'input[type=search]'), 'BILLING');
    await list.updateComplete;
    expect(rowNames(list)).to.deep.equal(['Bravo', 'delta', 'golf'], 'found by project name');
    expect(textOf($(list, '.count'))).to.equal('3 of 7 connections');

    typeInto($(list, 'input[type=search]'), '');
    const scope = $<HTMLSelectElement>(list, 'select[aria-label=Scope]');
    scope.value = 'PLATFORM';
    scope.dispatchEvent(new Event('change'));
    await list.updateComplete;
    expect(rowNames(list)).to.deep.equal(['Alpha', 'charlie', 'echo']);

    const provider = $<HTMLSelectElement>(list, 'select[aria-label=Provider]');
    expect([...provider.options].map((o) => o.textContent)).to.deep.equal(['All providers', 'HashiCorp Vault']);

    typeInto($(list, 'input[type=search]'), 'nothing like this');
    await list.updateComplete;
    expect(textOf($(list, '[part=empty]'))).to.contain('No connections match');
    byText(list, 'button', 'Clear filters').click();
    await list.updateComplete;
    expect(textOf($(list, '.count'))).to.equal('7 connections');
  });

  it('sorts, filters and finds by provider', async () => {
    await createVaultConnection(p, 'Alpha');
    await createAwsConnection(p, 'Beta');
    await createVaultConnection(p, 'Gamma');
    const list = await mountList();
    const provider = $<HTMLSelectElement>(list, 'select[aria-label=Provider]');
    expect([...provider.options].map((o) => o.textContent)).to.deep.equal(['All providers', 'HashiCorp Vault', 'AWS Secrets Manager'], 'the providers in use, in providers.list order');

    const sortButton = byText(list, 'th', 'Provider').querySelector('button')!;
    sortButton.click();
    await list.updateComplete;
    expect(rowNames(list)).to.deep.equal(['Beta', 'Alpha', 'Gamma'], 'by provider name, then by name');
    sortButton.click();
    await list.updateComplete;
    expect(rowNames(list)).to.deep.equal(['Gamma', 'Alpha', 'Beta']);

    provider.value = 'aws';
    provider.dispatchEvent(new Event('change'));
    await list.updateComplete;
    expect(rowNames(list)).to.deep.equal(['Beta']);
    provider.value = '';
    provider.dispatchEvent(new Event('change'));
    typeInto($(list, 'input[type=search]'), 'secrets manager');
    await list.updateComplete;
    expect(rowNames(list)).to.deep.equal(['Beta'], 'found by the provider’s name');
  });

  it('clears the cache of a connection: spinner, toast, sm-cache-cleared, and the next run reads the new value', async () => {
    const connection = await createVaultConnection(p, 'Vault production');
    const path = `app/list-${crypto.randomUUID()}`;
    const resolve = async () => (await p.engine.secrets.resolve.mutate({ references: [`{{sm:${connection.id}:secret/${path}#password}}`] })).values;
    await putVaultSecret(path, { password: 'list-canary-before' });
    expect(await resolve()).to.deep.equal(['list-canary-before']);
    await putVaultSecret(path, { password: 'list-canary-after' });
    expect(await resolve()).to.deep.equal(['list-canary-before'], 'the cached value, until the cache is cleared');

    const list = await mountList();
    const button = byText(list, 'button', 'Clear cache of Vault production');
    expect(textOf($(list, `#${button.getAttribute('aria-describedby')}`))).to.contain('Fresh values are fetched on the next run');

    const cleared = oneEvent(document, 'sm-cache-cleared');
    button.click();
    await list.updateComplete;
    expect(button.getAttribute('aria-disabled')).to.equal('true');
    expect(button.querySelector('.spinner')).to.exist;
    expect((await cleared).detail).to.deep.equal({ connectionId: connection.id });
    const toast = await until(() => $(list, 'sm-toast-stack', '[part=toast]'), 'the toast');
    expect(textOf(toast)).to.contain('fresh values are fetched on the next run');
    expect(button.getAttribute('aria-disabled')).to.equal('false');
    expect(await resolve()).to.deep.equal(['list-canary-after']);
    for (const value of ['list-canary-before', 'list-canary-after']) expect(await serverLogsContain(value), `${value} in the server log`).to.equal(false);
  });

  it('shows a connection that stopped working as Failed, with the reason', async () => {
    const token = await newVaultToken();
    const connection = await p.api.secretManagers.create.mutate({ name: 'Vault revoked', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultConfig(p, token) });
    await revokeVaultToken(token);
    // Clearing drops the last check (Connected, when it was saved): the list checks again.
    await p.api.secretManagers.clearCache.mutate({ connectionId: connection.id });
    const list = await mountList();
    await until(() => textOf($(list, 'tbody .status')) === 'Failed', 'the check fails');
    const reason = textOf($(list, 'tbody .reason'));
    expect(reason).to.contain('The secret manager rejected the credentials').and.contain(p.vault.url);
    expect(reason).not.to.contain(token);
  });

  it('edits a connection from its row: saving updates the row, and sm-connection-updated reaches the page', async () => {
    const connection = await createVaultConnection(p, 'Vault production');
    const list = await mountList();
    const edit = byText(list, 'button', 'Edit Vault production');
    edit.focus();
    edit.click();
    const dialog = $<SecretManagerDialog>(list, 'secret-manager-dialog');
    const name = await until(() => $<HTMLInputElement>(dialog, '#name').value === 'Vault production' && $<HTMLInputElement>(dialog, '#name'), 'the saved values');
    expect($<HTMLInputElement>(dialog, '#f-token').placeholder).to.equal('Unchanged');
    typeInto(name, 'Vault prod');
    const updated = oneEvent(document, 'sm-connection-updated');
    $(dialog, 'button[type=submit]').click();
    expect((await updated).detail.connection).to.include({ id: connection.id, name: 'Vault prod' });
    await until(() => !dialog.open, 'the dialog closes');
    expect(rowNames(list)).to.deep.equal(['Vault prod']);
    expect(textOf(await until(() => $(list, 'sm-toast-stack', '[part=toast]'), 'the toast'))).to.contain('“Vault prod” saved');
    expect(focused()).to.equal(edit, 'focus returns to the edit button');
  });

  it('in a project context (project-id) shows what the project may use, and creates connections for it', async () => {
    const [billing, marketing] = [await p.api.projects.create.mutate({ name: 'Billing' }), await p.api.projects.create.mutate({ name: 'Marketing' })];
    await createVaultConnection(p, 'Shared vault');
    await createVaultConnection(p, 'Billing vault', { scope: 'PROJECT', projectIds: [billing.id] });
    await createVaultConnection(p, 'Marketing vault', { scope: 'PROJECT', projectIds: [marketing.id] });
    const list = await fixture<SecretManagerList>(html`<secret-manager-list api-url=${p.apiUrl} token=${p.adminToken} project-id=${billing.id}></secret-manager-list>`);
    await until(() => rowNames(list).length === 2, 'the project’s connections');
    expect(rowNames(list)).to.deep.equal(['Billing vault', 'Shared vault']);

    byText(list, 'button', 'New connection').click();
    const dialog = $<SecretManagerDialog>(list, 'secret-manager-dialog');
    await until(() => $(dialog, '.provider'), 'the provider cards');
    byText(dialog, '.provider', 'HashiCorp Vault').click();
    await until(() => $(dialog, '#name'), 'the Vault form');
    expect($<HTMLInputElement>(dialog, 'input[name=scope][value=PROJECT]').checked, 'limited to the project').to.equal(true);
    expect($$(dialog.shadowRoot!.querySelector('sm-project-select')!, '.chip').map(textOf)).to.deep.equal(['Billing']);
    typeInto($(dialog, '#name'), 'Billing vault 2');
    typeInto($(dialog, '#f-url'), p.vault.url);
    typeInto($(dialog, '#f-token'), p.vault.readToken);
    const created = oneEvent(list, 'sm-connection-created');
    $(dialog, 'button[type=submit]').click();
    const { connection } = (await created).detail;
    expect(connection.scope).to.equal('PROJECT');
    expect(connection.projects).to.deep.equal([{ id: billing.id, name: 'Billing' }]);
    await until(() => rowNames(list).includes('Billing vault 2'), 'the new row');
  });

  it("with a project admin's embed token: its own connections have actions, shared ones are read-only, and it creates for its project", async () => {
    const [billing, marketing] = [await p.api.projects.create.mutate({ name: 'Billing' }), await p.api.projects.create.mutate({ name: 'Marketing' })];
    await createVaultConnection(p, 'Shared vault');
    await createVaultConnection(p, 'Billing vault', { scope: 'PROJECT', projectIds: [billing.id] });
    await createVaultConnection(p, 'Billing and marketing', { scope: 'PROJECT', projectIds: [billing.id, marketing.id] });
    await createVaultConnection(p, 'Marketing vault', { scope: 'PROJECT', projectIds: [marketing.id] });
    const token = await projectAdminToken(p, billing.id);
    const list = await fixture<SecretManagerList>(html`<secret-manager-list api-url=${p.apiUrl} token=${token} project-id=${billing.id}></secret-manager-list>`);
    await until(() => rowNames(list).length === 3, 'the project’s connections');
    expect(rowNames(list)).to.deep.equal(['Billing and marketing', 'Billing vault', 'Shared vault']);
    expect(textOf($(list, 'tbody'))).not.to.contain('Marketing', 'other projects are not named');
    const actionsOf = (name: string) => $$(list, 'tbody tr').find((r) => textOf(r.querySelector('.name')!) === name)!.querySelectorAll('td.actions button').length;
    expect([actionsOf('Billing vault'), actionsOf('Billing and marketing'), actionsOf('Shared vault')]).to.deep.equal([3, 0, 0]);
    expect(hasButton(list, 'Clear all caches'), 'the whole platform is not its to clear').to.equal(false);

    byText(list, 'button', 'New connection').click();
    const dialog = $<SecretManagerDialog>(list, 'secret-manager-dialog');
    await until(() => $(dialog, '.provider'), 'the provider cards');
    byText(dialog, '.provider', 'HashiCorp Vault').click();
    await until(() => $(dialog, '#name'), 'the Vault form');
    expect($$(dialog.shadowRoot!.querySelector('sm-project-select')!, '.chip').map(textOf)).to.deep.equal(['Billing']);
    typeInto($(dialog, '#name'), 'Billing vault 2');
    typeInto($(dialog, '#f-url'), p.vault.url);
    typeInto($(dialog, '#f-token'), p.vault.readToken);
    const created = oneEvent(list, 'sm-connection-created');
    $(dialog, 'button[type=submit]').click();
    expect((await created).detail.connection).to.include({ scope: 'PROJECT', canManage: true });
    await until(() => rowNames(list).includes('Billing vault 2'), 'the new row');
  });

  it("with a member's token: every row is read-only and nothing is checked", async () => {
    const project = await p.api.projects.create.mutate({ name: 'Billing' });
    await createVaultConnection(p, 'Billing vault', { scope: 'PROJECT', projectIds: [project.id] });
    await p.api.secretManagers.clearCache.mutate();
    const list = await fixture<SecretManagerList>(html`<secret-manager-list api-url=${p.apiUrl} token=${await memberToken(p, project.id)}></secret-manager-list>`);
    await until(() => rowNames(list).length === 1, 'the row');
    expect($$(list, 'tbody td.actions button')).to.have.length(0);
    expect(hasButton(list, 'Clear all caches')).to.equal(false);
    expect(textOf($(list, 'tbody'))).to.contain('Not checked yet');
  });

  it('checks a connection whose status is unknown ("Checking…") and shows the outcome', async () => {
    const connection = await createVaultConnection(p, 'Vault production');
    // Clearing drops the cached check, so the list finds the status unknown.
    await p.api.secretManagers.clearCache.mutate({ connectionId: connection.id });
    await vaultLatency(500);
    try {
      const list = await fixture<SecretManagerList>(html`<secret-manager-list api-url=${p.apiUrl} token=${p.adminToken}></secret-manager-list>`);
      await until(() => textOf($(list, 'tbody')).includes('Checking…'), 'Checking…');
      await until(() => textOf($(list, 'tbody')).includes('Connected'), 'Connected after the check');
    } finally {
      await vaultLatency(0);
    }
  });

  it('deletes a connection after a confirmation that names it', async () => {
    const connection = await createVaultConnection(p, 'Vault production');
    await createVaultConnection(p, 'Vault staging');
    const list = await mountList();

    const button = byText(list, 'button', 'Delete Vault production');
    button.focus();
    button.click();
    const confirm = $(list, 'sm-confirm-dialog');
    await until(() => $(confirm, 'dialog[open]'), 'the confirmation opens');
    expect(textOf($(confirm, 'h2'))).to.equal('Delete “Vault production”?');
    expect(focused()?.textContent?.trim()).to.equal('Cancel', 'the safe choice has focus');

    byText(confirm, 'button', 'Cancel').click();
    await list.updateComplete;
    expect(focused()).to.equal(button, 'focus returns to the delete button');
    expect(rowNames(list)).to.have.length(2);

    button.click();
    await until(() => $(confirm, 'dialog[open]'), 'the confirmation opens again');
    const deleted = oneEvent(document, 'sm-connection-deleted');
    byText(confirm, 'button', 'Delete connection').click();
    expect((await deleted).detail.connection.id).to.equal(connection.id);
    expect(rowNames(list)).to.deep.equal(['Vault staging']);
    expect(await p.api.secretManagers.list.query()).to.have.length(1);
    expect(textOf(await until(() => $(list, 'sm-toast-stack', '[part=toast]'), 'the toast'))).to.contain('“Vault production” deleted');
    expect(focused()?.localName).to.equal('h2', 'focus lands on the heading when the row is gone');
  });

  it('is themed through --sm-* properties, ::part and the theme attribute', async () => {
    await createVaultConnection(p, 'Vault production');
    const style = document.createElement('style');
    style.textContent = `
      .themed { --sm-color-primary: rgb(200, 0, 100); --sm-radius: 2px; }
      .themed::part(new-button) { text-transform: uppercase; }
      .themed::part(row) { letter-spacing: 3px; }
    `;
    document.head.append(style);
    try {
      const list = await fixture<SecretManagerList>(html`<secret-manager-list class="themed" api-url=${p.apiUrl} token=${p.adminToken}></secret-manager-list>`);
      await until(() => $(list, 'tr[part=row]'), 'the rows');
      const newButton = $(list, '[part~=new-button]');
      expect(getComputedStyle(newButton).backgroundColor).to.equal('rgb(200, 0, 100)');
      expect(getComputedStyle(newButton).borderTopLeftRadius).to.equal('2px');
      expect(getComputedStyle(newButton).textTransform).to.equal('uppercase');
      expect(getComputedStyle($(list, '[part~=row]')).letterSpacing).to.equal('3px');

      const background = () => getComputedStyle(list).backgroundColor;
      await emulateMedia({ colorScheme: 'light' });
      expect(background()).to.equal('rgb(255, 255, 255)');
      await emulateMedia({ colorScheme: 'dark' });
      expect(background()).to.equal('rgb(21, 23, 28)', 'follows prefers-color-scheme');
      list.theme = 'light';
      await list.updateComplete;
      expect(background()).to.equal('rgb(255, 255, 255)', 'the attribute wins');
      expect($(list, 'secret-manager-dialog').getAttribute('theme')).to.equal('light', 'inner dialogs follow');
    } finally {
      style.remove();
      await emulateMedia({ colorScheme: 'light' });
    }
  });

  it('takes the host page’s font, and no other page CSS goes in or out', async () => {
    await createVaultConnection(p, 'Vault production');
    const style = document.createElement('style');
    style.textContent = `
      .host-page { font-family: Georgia, serif; }
      .host-page button, .host-page td { color: rgb(255, 0, 0); text-decoration: line-through; }
    `;
    document.head.append(style);
    try {
      const page = await fixture<HTMLElement>(html`<div class="host-page">
        <button type="button" class="button primary">A host button with the elements' class names</button>
        <button type="button">A plain host button</button>
        <secret-manager-list api-url=${p.apiUrl} token=${p.adminToken}></secret-manager-list>
      </div>`);
      const list = page.querySelector('secret-manager-list')!;
      await until(() => $(list, 'tr[part=row]'), 'the rows');
      const newButton = $(list, '[part~=new-button]');
      expect(getComputedStyle(newButton).fontFamily).to.equal('Georgia, serif', 'the host’s font');
      for (const inside of [newButton, $(list, 'tbody td')]) {
        expect(getComputedStyle(inside).textDecorationLine, 'page rules stay out').to.equal('none');
        expect(getComputedStyle(inside).color).not.to.equal('rgb(255, 0, 0)');
      }
      const [named, plain] = [...page.querySelectorAll('button')].map((b) => getComputedStyle(b));
      expect([named!.backgroundColor, named!.minHeight], 'the elements’ .button rules stay in').to.deep.equal([plain!.backgroundColor, plain!.minHeight]);
    } finally {
      style.remove();
    }
  });

  it('uses the page-wide configure({ url, getToken }), asking for the token before every request', async () => {
    let asked = 0;
    configure({
      url: p.apiUrl,
      getToken: async () => {
        asked++;
        return p.adminToken;
      },
    });
    try {
      await createVaultConnection(p, 'Vault production');
      const list = await fixture<SecretManagerList>(html`<secret-manager-list></secret-manager-list>`);
      await until(() => rowNames(list).length === 1, 'the row');
      expect(asked).to.be.greaterThanOrEqual(2, 'providers.list and secretManagers.list');
    } finally {
      fixtureCleanup(); // before the reset, or the list would reload from nowhere
      configure({});
    }
  });

  it('says it is loading while the host is still fetching a token', async () => {
    let handOver = () => {};
    const token = new Promise<string>((resolve) => (handOver = () => resolve(p.adminToken)));
    configure({ url: p.apiUrl, getToken: () => token });
    try {
      await createVaultConnection(p, 'Vault production');
      const list = await fixture<SecretManagerList>(html`<secret-manager-list></secret-manager-list>`);
      expect($(list, 'table.skeleton').getAttribute('aria-hidden')).to.equal('true');
      expect(textOf($(list, '[role=status]'))).to.equal('Loading connections…');
      handOver();
      await until(() => rowNames(list).length === 1, 'the row once the token came');
      expect(() => $(list, 'table.skeleton')).to.throw();
    } finally {
      fixtureCleanup();
      configure({});
    }
  });

  it('shows the texts a host gives to setMessages(), at once', async () => {
    const list = await mountList();
    setMessages({ newConnection: 'Nouvelle connexion' });
    try {
      await list.updateComplete;
      expect(textOf($(list, '[part~=new-button]'))).to.equal('Nouvelle connexion');
    } finally {
      setMessages({ newConnection: 'New connection' });
    }
  });

  it('never lets a token reach the server log', async () => {
    await createVaultConnection(p, 'Vault production');
    await mountList();
    expect(await serverLogsContain(p.adminToken)).to.equal(false);
    expect(await serverLogsContain(p.vault.readToken)).to.equal(false);
  });
});
