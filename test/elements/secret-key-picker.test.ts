/// <reference types="mocha" />
import { expect, fixture, fixtureCleanup, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ConnectionDto } from '../../shared/connections.ts';
import { createClient, type SecretKeyPicker, type SecretManagersClient } from '../../elements/index.ts';
import type { SmConnectionSelect } from '../../elements/sm-connection-select/sm-connection-select.ts';
import { $, $$, byText, createVaultConnection, focused, newPlatform, putVaultSecret, textOf, typeInto, until, type TestPlatform } from './support/helpers.ts';
import { memberToken } from './support/members.ts';
import { describeTokenExpiry } from './support/token-expiry-behaviour.ts';

/** What the picker shows and holds: every text of its shadow tree and the ones inside it. */
function deepText(root: Element | ShadowRoot): string {
  const parts: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
    if (node instanceof Element) {
      for (const attr of node.getAttributeNames()) parts.push(node.getAttribute(attr) ?? '');
      if (node instanceof HTMLInputElement) parts.push(node.value);
      if (node.shadowRoot) walk(node.shadowRoot);
    }
    node.childNodes.forEach(walk);
  };
  walk(root);
  return parts.join(' ');
}

describe('<secret-key-picker>', () => {
  let p: TestPlatform;
  let projectA: { id: string };
  let projectB: { id: string };
  let vault: ConnectionDto;
  let onlyA: ConnectionDto;

  before(async () => {
    await putVaultSecret('app/team/slack', { bot_token: 'xoxb-picker-canary-3f9d', signing_secret: 'picker-canary-signing' });
  });

  beforeEach(async () => {
    p = await newPlatform();
    projectA = await p.api.projects.create.mutate({ name: 'Project A' });
    projectB = await p.api.projects.create.mutate({ name: 'Project B' });
    vault = await createVaultConnection(p, 'Vault production');
    onlyA = await createVaultConnection(p, 'Vault of A', { scope: 'PROJECT', projectIds: [projectA.id] });
  });

  afterEach(() => fixtureCleanup());

  async function mount(options: { token?: string; projectId?: string; value?: string; client?: SecretManagersClient; showWhenEmpty?: boolean } = {}) {
    const picker = await fixture<SecretKeyPicker>(html`<secret-key-picker
      label="Bot Token"
      .apiUrl=${p.apiUrl}
      .token=${options.client ? undefined : (options.token ?? p.adminToken)}
      .client=${options.client}
      .projectId=${options.projectId}
      .value=${options.value ?? ''}
      ?show-when-empty=${options.showWhenEmpty ?? false}
    ></secret-key-picker>`);
    await until(() => !picker.matches(':state(empty)'), 'the picker knows its connections');
    return picker;
  }

  const keyButton = (picker: SecretKeyPicker) => $<HTMLButtonElement>(picker, 'button[aria-label="Use a secret manager"]');
  const panel = (picker: SecretKeyPicker) => $(picker, '#popover');
  const select = (picker: SecretKeyPicker) => $(picker, 'sm-connection-select');
  const pathInput = (picker: SecretKeyPicker) => $<HTMLInputElement>(picker, 'sm-secret-path-input', 'input');
  const suggestions = (picker: SecretKeyPicker) => $$($(picker, 'sm-secret-path-input'), '[role=option]:not(.loading)').map(textOf);

  async function open(picker: SecretKeyPicker) {
    keyButton(picker).click();
    await until(() => panel(picker).matches(':popover-open') && $$(picker, 'sm-connection-select').length > 0, 'the panel with the form');
    await until(() => focused() === pathInput(picker), 'focus in the path input');
  }

  async function typePath(picker: SecretKeyPicker, path: string) {
    typeInto(pathInput(picker), path);
    await picker.updateComplete;
  }

  const connectionNames = (picker: SecretKeyPicker) => $$(select(picker), '[role=option] .name').map(textOf);

  it('passes axe-core: closed, open with the connections listed, with a check result, and with a chip', async () => {
    const picker = await mount();
    await expect(picker).to.be.accessible();
    await open(picker);
    $(select(picker), '[role=combobox]').click();
    await (select(picker) as SmConnectionSelect).updateComplete;
    await expect(picker).to.be.accessible();
    $(select(picker), '[role=combobox]').click();
    await typePath(picker, 'secret/app/team/slack');
    byText(picker, 'button', 'Check').click();
    await until(() => $(picker, '[part=check-result]'), 'found');
    await expect(picker).to.be.accessible();
    byText(picker, 'button', 'Use secret').click();
    await until(() => $(picker, '[part=chip]'), 'the chip');
    await expect(picker).to.be.accessible();
  });

  it('has a key button named "Use a secret manager" that opens a labelled dialog panel', async () => {
    const picker = await mount();
    const button = keyButton(picker);
    expect(button.getAttribute('aria-haspopup')).to.equal('dialog');
    expect(button.getAttribute('aria-expanded')).to.equal('false');
    await open(picker);
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    expect(panel(picker).getAttribute('role')).to.equal('dialog');
    expect(textOf($(picker, '#title'))).to.equal('Use a secret');
    expect(textOf($(picker, '.lead'))).to.equal('Bot Token will hold a reference, not the secret: the value stays in your secret manager.');
  });

  it('offers exactly the connections the server allows in the context, with provider logo and status', async () => {
    const admin = await mount();
    await open(admin);
    expect(connectionNames(admin), 'the platform context sees every connection').to.deep.equal(['Vault of A', 'Vault production']);

    const inA = await mount({ token: await memberToken(p, projectA.id), projectId: projectA.id });
    await open(inA);
    expect(connectionNames(inA)).to.deep.equal(['Vault of A', 'Vault production']);
    const option = $$(select(inA), '[role=option]')[1]!;
    expect(option.querySelector('svg.logo')).to.exist;
    expect(textOf(option)).to.contain('HashiCorp Vault').and.match(/Connected|Failed|Not checked yet/);

    const inB = await mount({ token: await memberToken(p, projectB.id), projectId: projectB.id });
    await open(inB);
    expect(connectionNames(inB), "project B is not offered A's connection").to.deep.equal(['Vault production']);
  });

  it('is hidden where no connection is usable, unless show-when-empty, which then says why', async () => {
    const other = await newPlatform();
    const project = await other.api.projects.create.mutate({ name: 'Lonely' });
    const token = await memberToken(other, project.id);
    const hidden = await fixture<SecretKeyPicker>(html`<secret-key-picker api-url=${other.apiUrl} token=${token}></secret-key-picker>`);
    await until(() => hidden.matches(':state(empty)'), 'empty');
    expect(getComputedStyle(hidden).display).to.equal('none');

    const shown = await fixture<SecretKeyPicker>(html`<secret-key-picker api-url=${other.apiUrl} token=${token} show-when-empty></secret-key-picker>`);
    await until(() => $$(shown, '.trigger').length > 0 && shown.shadowRoot!.querySelector('button')!.offsetWidth > 0, 'the key button');
    keyButton(shown).click();
    await until(() => $(shown, '.empty'), 'the explanation');
    expect(textOf($(shown, '.empty'))).to.contain('No secret manager is available here');
    await expect(shown).to.be.accessible();
  });

  it('shows the chosen provider’s placeholder, help and examples', async () => {
    const picker = await mount();
    await open(picker);
    const input = pathInput(picker);
    expect(input.placeholder).to.equal('secret/app/database#password');
    const pathElement = $(picker, 'sm-secret-path-input');
    expect(textOf($(pathElement, '#help'))).to.contain('mount/path of a KV secret');
    expect(textOf($(pathElement, '#examples'))).to.contain('secret/app/database@3#password');
    expect(input.getAttribute('aria-describedby')).to.contain('help').and.contain('examples');
  });

  it('browses folder by folder from the keyboard, checks the secret and picks a JSON key, never showing a value', async () => {
    const responses: string[] = [];
    const realFetch = window.fetch;
    window.fetch = async (...args) => {
      const response = await realFetch(...args);
      responses.push(await response.clone().text());
      return response;
    };
    try {
      const picker = await mount({ token: await memberToken(p, projectA.id), projectId: projectA.id });
      await open(picker);
      const pathElement = $(picker, 'sm-secret-path-input');
      await until(() => suggestions(picker).length > 0, 'the mounts are suggested on focus');
      expect(suggestions(picker)).to.deep.equal(['secret/ Folder']);
      // The read-only policy may not list secret/: the picker says so (in words that do not
      // name the provider's address, as this is a member) and typing goes on.
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'Enter' });
      await until(() => $$(pathElement, '#note').length > 0, 'the note about listing');
      expect(textOf($(pathElement, '#note'))).to.contain('does not allow listing').and.contain('type the full path');
      expect(pathInput(picker).value).to.equal('secret/');

      await sendKeys({ type: 'app/' });
      await until(() => suggestions(picker).some((s) => s.includes('team/')), 'secret/app/ is listed');
      expect(suggestions(picker)).to.include.members(['secret/app/db', 'secret/app/team/ Folder']);
      const team = suggestions(picker).indexOf('secret/app/team/ Folder');
      for (let i = 0; i <= team; i++) await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'Enter' });
      await until(() => suggestions(picker).includes('secret/app/team/slack'), 'the folder is listed');
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'Enter' });

      // Picking a secret checks it at once.
      const result = await until(() => $(picker, '[part=check-result]'), 'the secret is found');
      expect(textOf(result)).to.contain('Secret found').and.contain('Whole secret').and.contain('bot_token').and.contain('signing_secret');
      const keys = $$<HTMLInputElement>(picker, 'input[name=key]');
      keys[1]!.focus();
      await sendKeys({ press: 'Space' });
      await picker.updateComplete;
      expect(pathInput(picker).value).to.equal('secret/app/team/slack#bot_token');

      const change = oneEvent(picker, 'change');
      const referenceChange = oneEvent(picker, 'sm-reference-change');
      byText(picker, 'button', 'Use secret').focus();
      await sendKeys({ press: 'Enter' });
      await change;
      // The first connection (by name) was offered first.
      const reference = `{{sm:${onlyA.id}:secret/app/team/slack#bot_token}}`;
      expect((await referenceChange).detail).to.deep.equal({ reference, connectionId: onlyA.id, path: 'secret/app/team/slack#bot_token' });
      expect(picker.value).to.equal(reference);
      const chip = await until(() => $(picker, '.chip-main'), 'the chip');
      expect(textOf(chip)).to.equal('Vault of A · secret/app/team/slack#bot_token');
      expect(focused()).to.equal($(picker, '.chip-main'), 'focus lands on the chip');

      expect(deepText(picker.shadowRoot!)).not.to.contain('canary');
      expect(responses.length).to.be.greaterThan(3);
      expect(responses.join('\n')).not.to.contain('canary');
    } finally {
      window.fetch = realFetch;
    }
  });

  it('asks for names once per pause in typing, and pages through long folders', async () => {
    await Promise.all(Array.from({ length: 60 }, (_, i) => putVaultSecret(`app/many/item-${String(i).padStart(2, '0')}`, { value: 'x' })));
    const real = createClient({ url: p.apiUrl, getToken: () => p.adminToken });
    const prefixes: string[] = [];
    const counting = new Proxy(real, {
      get: (target, key) =>
        key === 'secrets'
          ? {
              list: { query: (input: { prefix: string }, options: unknown) => (prefixes.push(input.prefix), real.secrets.list.query(input as never, options as never)) },
              check: real.secrets.check,
            }
          : Reflect.get(target, key),
    });
    const picker = await mount({ client: counting });
    await open(picker);
    await until(() => suggestions(picker).length > 0, 'mounts');
    prefixes.length = 0;
    for (const partial of ['s', 'se', 'sec', 'secret/app/m', 'secret/app/many/']) typeInto(pathInput(picker), partial);
    await until(() => suggestions(picker).length > 0 && suggestions(picker)[0]!.startsWith('secret/app/many/'), 'names');
    expect(prefixes).to.deep.equal(['secret/app/many/'], 'one request for a burst of typing');
    expect(suggestions(picker)).to.have.length(51);
    expect(suggestions(picker).at(-1)).to.equal('Show more');

    const list = $($(picker, 'sm-secret-path-input'), '[role=listbox]');
    list.scrollTop = list.scrollHeight;
    await until(() => suggestions(picker).length === 60, 'the next page on scrolling to the end');
    expect(suggestions(picker).at(-1)).to.equal('secret/app/many/item-59');
    expect(prefixes).to.deep.equal(['secret/app/many/', 'secret/app/many/']);

    // Names already seen come back without a request.
    typeInto(pathInput(picker), 'secret/app/many/item-0');
    typeInto(pathInput(picker), 'secret/app/many/');
    await until(() => suggestions(picker).length === 51, 'the first page again');
    expect(prefixes).to.have.length(2);
  });

  it('says what a check found: not found, permission denied, and lets people use a path anyway', async () => {
    const picker = await mount();
    await open(picker);
    await typePath(picker, 'secret/app/nothing-here');
    byText(picker, 'button', 'Check').click();
    let problem = await until(() => $(picker, '[part=problem]'), 'not found');
    expect(textOf(problem)).to.contain('Secret not found').and.contain('SECRET_NOT_FOUND').and.contain('case-sensitive');

    await typePath(picker, 'secret/elsewhere/db');
    byText(picker, 'button', 'Check').click();
    problem = await until(() => $$(picker, '[part=problem]').find((e) => textOf(e).includes('PERMISSION_DENIED')), 'denied');
    expect(textOf(problem)).to.contain('Permission denied');

    await typePath(picker, 'secret/app/team/slack#nope');
    byText(picker, 'button', 'Use secret').click();
    problem = await until(() => $$(picker, '[part=problem]').find((e) => textOf(e).includes('KEY_NOT_FOUND')), '"Use secret" checks first');
    expect(textOf(problem)).to.contain('bot_token, signing_secret');
    expect(picker.value).to.equal('', 'nothing is used while the check says no');
    byText(picker, 'button', 'Use anyway').click();
    await until(() => picker.value === `{{sm:${onlyA.id}:secret/app/team/slack#nope}}`, 'a deliberate second click uses it');
  });

  it('checks the path syntax before asking the server', async () => {
    const picker = await mount();
    await open(picker);
    byText(picker, 'button', 'Use secret').click();
    const pathElement = $(picker, 'sm-secret-path-input');
    await until(() => $$(pathElement, '#error').length > 0, 'an error');
    expect(textOf($(pathElement, '#error'))).to.equal('Enter the path of the secret');
    expect(pathInput(picker).getAttribute('aria-invalid')).to.equal('true');
    await typePath(picker, 'secret/app/db#');
    byText(picker, 'button', 'Check').click();
    await until(() => textOf($(pathElement, '#error')).includes('key after #'), 'the syntax error');
  });

  it('shows a chip for a reference, edits it, and goes back to typing', async () => {
    const reference = `{{sm:${vault.id}:secret/app/db#password}}`;
    const picker = await mount({ value: reference });
    const chip = await until(() => $$(picker, '.chip-main').find((c) => textOf(c).includes('Vault production')), 'the chip');
    expect(textOf(chip)).to.equal('Vault production · secret/app/db#password');
    expect(textOf($(picker, '#chip-help'))).to.equal('Bot Token uses this secret. Open to change it.');

    $(picker, '.chip-main').click();
    await until(() => panel(picker).matches(':popover-open') && pathInput(picker)?.value === 'secret/app/db#password', 'the panel edits the reference');
    await sendKeys({ press: 'Escape' });
    await until(() => !panel(picker).matches(':popover-open'), 'Escape closes');
    expect(focused()).to.equal($(picker, '.chip-main'));
    expect(picker.value).to.equal(reference);

    const cleared = oneEvent(picker, 'sm-reference-change');
    byText(picker, 'button', 'Type a value instead').click();
    expect((await cleared).detail).to.deep.equal({ reference: '', connectionId: '', path: '' });
    expect(picker.value).to.equal('');
    await until(() => focused() === keyButton(picker), 'focus moves to the key button');
  });

  it('marks a reference to a connection this project may not use', async () => {
    const picker = await mount({ token: await memberToken(p, projectB.id), projectId: projectB.id, value: `{{sm:${onlyA.id}:secret/app/db}}` });
    const chip = await until(() => $$(picker, '.chip.missing .chip-main')[0], 'the unavailable chip');
    expect(textOf(chip)).to.equal('Unavailable connection · secret/app/db');
    $(picker, '.chip-main').click();
    await until(() => $$(picker, '.warning').length > 0, 'the panel explains');
    expect(textOf($(picker, '.warning'))).to.contain('not available in this project');
    expect(textOf($(select(picker), '[role=combobox]'))).to.contain('Choose a secret manager');
  });

  it('works from the keyboard alone: open, choose a connection, close with Escape inside a host dialog', async () => {
    const host = await fixture<HTMLDialogElement>(html`<dialog>
      <input aria-label="Name" />
      <secret-key-picker .apiUrl=${p.apiUrl} .token=${p.adminToken} label="Bot Token"></secret-key-picker>
      <button class="after">Save</button>
    </dialog>`);
    host.showModal();
    const picker = host.querySelector('secret-key-picker')!;
    await until(() => !picker.matches(':state(empty)'), 'the key button');
    host.querySelector('input')!.focus();
    await sendKeys({ press: 'Tab' });
    expect(focused()).to.equal(keyButton(picker));
    await sendKeys({ press: 'Enter' });
    await until(() => focused() === pathInput(picker), 'focus moves into the panel');

    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(focused()).to.equal($(select(picker), '[role=combobox]'));
    await sendKeys({ press: 'ArrowDown' });
    await until(() => $(select(picker), '[role=combobox]').getAttribute('aria-expanded') === 'true', 'the list opens');
    await sendKeys({ press: 'End' });
    await sendKeys({ press: 'Enter' });
    await until(() => textOf($(select(picker), '[role=combobox]')).includes('Vault production'), 'chosen');

    await sendKeys({ press: 'Escape' });
    await until(() => !panel(picker).matches(':popover-open'), 'the panel closes');
    expect(host.open, 'the host dialog stays open').to.equal(true);
    expect(focused()).to.equal(keyButton(picker));

    // Tabbing past the last control leaves the panel, which closes behind the focus.
    await sendKeys({ press: 'Enter' });
    await until(() => focused() === pathInput(picker), 'open again');
    byText(picker, 'button', 'Use secret').focus();
    await sendKeys({ press: 'Tab' });
    await until(() => !panel(picker).matches(':popover-open'), 'the panel closes');
    expect(focused()).to.equal(host.querySelector('button.after'));
    host.close();
  });

  it('can be disabled', async () => {
    const picker = await mount();
    picker.disabled = true;
    await picker.updateComplete;
    expect(keyButton(picker).disabled).to.equal(true);
    keyButton(picker).click();
    await picker.updateComplete;
    expect(panel(picker).matches(':popover-open')).to.equal(false);
  });
});

describeTokenExpiry(
  '<secret-key-picker>',
  ({ p, projectId, token, onExpired }) =>
    html`<secret-key-picker .apiUrl=${token ? p.apiUrl : undefined} .token=${token} project-id=${projectId} @sm-auth-expired=${onExpired}></secret-key-picker>`,
  (host) => host as SecretKeyPicker,
);
