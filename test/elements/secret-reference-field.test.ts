/// <reference types="mocha" />
import { expect, fixture, fixtureCleanup, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ConnectionDto } from '../../shared/connections.ts';
import '../../elements/index.ts';
import type { SecretKeyPicker, SecretReferenceField } from '../../elements/index.ts';
import { $, $$, byText, createVaultConnection, focused, newPlatform, textOf, typeInto, until, type TestPlatform } from './support/helpers.ts';
import { memberToken } from './support/members.ts';
import { describeTokenExpiry } from './support/token-expiry-behaviour.ts';

describe('<secret-reference-field>', () => {
  let p: TestPlatform;
  let vault: ConnectionDto;
  let token: string;
  let projectId: string;

  beforeEach(async () => {
    p = await newPlatform();
    projectId = (await p.api.projects.create.mutate({ name: 'Flows' })).id;
    vault = await createVaultConnection(p, 'Vault production');
    token = await memberToken(p, projectId);
  });

  afterEach(() => fixtureCleanup());

  const reference = () => `{{sm:${vault.id}:secret/app/db#password}}`;

  /** A host's plain form, as a third-party dashboard writes it. */
  async function mountForm(options: { value?: string; required?: boolean } = {}) {
    const form = await fixture<HTMLFormElement>(html`<form>
      <fieldset>
        <label>Name <input name="name" value="Slack" /></label>
        <secret-reference-field
          name="botToken"
          label="Bot Token"
          help="From your Slack app's OAuth page."
          api-url=${p.apiUrl}
          token=${token}
          project-id=${projectId}
          value=${options.value ?? ''}
          ?required=${options.required ?? false}
        ></secret-reference-field>
      </fieldset>
      <button>Save</button>
    </form>`);
    const field = form.querySelector('secret-reference-field')!;
    await until(() => !$<SecretKeyPicker>(field, 'secret-key-picker').matches(':state(empty)'), 'the key icon');
    return { form, field };
  }

  const input = (field: SecretReferenceField) => $<HTMLInputElement>(field, 'input');
  const picker = (field: SecretReferenceField) => $<SecretKeyPicker>(field, 'secret-key-picker');

  it('passes axe-core: empty, invalid, and with a reference', async () => {
    const { field } = await mountForm({ required: true });
    await expect(field).to.be.accessible();
    field.reportValidity();
    await field.updateComplete;
    await expect(field).to.be.accessible();
    field.value = reference();
    await until(() => $$(picker(field), '.chip-main').length > 0, 'the chip');
    await expect(field).to.be.accessible();
  });

  it('is a labelled password input with the key icon beside it, and a button to show the value', async () => {
    const { field } = await mountForm();
    expect(textOf($(field, 'label'))).to.equal('Bot Token');
    expect(input(field).type).to.equal('password');
    expect(input(field).getAttribute('aria-describedby')).to.equal('help');
    expect($$(picker(field), 'button[aria-label="Use a secret manager"]')).to.have.length(1);
    byText(field, 'button', 'Show Bot Token').click();
    await field.updateComplete;
    expect(input(field).type).to.equal('text');
  });

  it('submits a typed value or a reference with a plain <form>', async () => {
    const { form, field } = await mountForm();
    input(field).focus();
    await sendKeys({ type: 'xoxb-typed' });
    expect(new FormData(form).get('botToken')).to.equal('xoxb-typed');

    field.value = reference();
    await field.updateComplete;
    expect(new FormData(form).get('botToken')).to.equal(reference());
    expect(new FormData(form).get('name')).to.equal('Slack');
  });

  it('is required like a native input: blocks submit, says why, and is valid once it holds a reference', async () => {
    const { form, field } = await mountForm({ required: true });
    let submitted = 0;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitted++;
    });
    form.requestSubmit();
    expect(submitted).to.equal(0);
    expect(field.validity.valueMissing).to.equal(true);
    expect(field.validationMessage).to.equal('Bot Token is required');
    await until(() => $$(field, '#error').length > 0, 'the message');
    expect(textOf($(field, '#error'))).to.equal('Bot Token is required');
    expect(input(field).getAttribute('aria-invalid')).to.equal('true');
    expect(input(field).getAttribute('aria-describedby')).to.equal('help error');

    field.value = reference();
    await field.updateComplete;
    expect(field.checkValidity()).to.equal(true);
    form.requestSubmit();
    expect(submitted).to.equal(1);
  });

  it('refuses an incomplete reference typed by hand', async () => {
    const { field } = await mountForm();
    typeInto(input(field), `{{sm:${vault.id}:secret/app/db`);
    await field.updateComplete;
    expect(field.validity.customError).to.equal(true);
    expect(field.validationMessage).to.contain('incomplete');
    typeInto(input(field), `Bearer {{sm:${vault.id}:secret/app/db#password}}`);
    await field.updateComplete;
    expect(field.checkValidity(), 'a reference inside text is fine').to.equal(true);
  });

  it('shows the chip in place of the input, and goes back to typing with focus in the input', async () => {
    const { form, field } = await mountForm({ value: reference() });
    await until(() => textOf($(picker(field), '.chip-main')) === 'Vault production · secret/app/db#password', 'the chip');
    expect($$(field, 'input')).to.have.length(0);
    expect(new FormData(form).get('botToken')).to.equal(reference());

    const change = oneEvent(field, 'change');
    const referenceChange = oneEvent(field, 'sm-reference-change');
    byText(picker(field), 'button', 'Type a value instead').click();
    await change;
    expect((await referenceChange).detail.reference).to.equal('');
    expect(field.value).to.equal('');
    await until(() => focused() === input(field), 'focus in the input');
    expect(new FormData(form).get('botToken')).to.equal('');
  });

  it('resets to its value attribute with the form, follows a disabled fieldset, and delegates focus', async () => {
    const { form, field } = await mountForm({ value: 'initial' });
    typeInto(input(field), 'changed');
    form.reset();
    await field.updateComplete;
    expect(field.value).to.equal('initial');
    expect(input(field).value).to.equal('initial');

    field.focus();
    expect(focused()).to.equal(input(field));

    form.querySelector('fieldset')!.disabled = true;
    await until(() => input(field).disabled, 'disabled by the fieldset');
    expect($<HTMLButtonElement>(picker(field), '.trigger').disabled).to.equal(true);
    expect(new FormData(form).has('botToken'), 'a disabled control is not submitted').to.equal(false);
  });

  it('fires change once per commit: typed and left, or a reference chosen in the picker', async () => {
    const { field } = await mountForm();
    let changes = 0;
    field.addEventListener('change', () => changes++);
    input(field).focus();
    await sendKeys({ type: 'abc' });
    await sendKeys({ press: 'Tab' });
    expect(changes).to.equal(1);

    input(field).value = '';
    input(field).dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    picker(field).show();
    const p2 = picker(field);
    await until(() => $$(p2, 'sm-secret-path-input').length > 0, 'the panel');
    typeInto($<HTMLInputElement>(p2, 'sm-secret-path-input', 'input'), 'secret/app/db#username');
    byText(p2, 'button', 'Use secret').click();
    await until(() => field.value === `{{sm:${vault.id}:secret/app/db#username}}`, 'the reference');
    expect(changes).to.equal(2);
  });
});

describeTokenExpiry(
  '<secret-reference-field>',
  ({ p, projectId, token, onExpired }) =>
    html`<secret-reference-field label="Bot Token" .apiUrl=${token ? p.apiUrl : undefined} .token=${token} project-id=${projectId} @sm-auth-expired=${onExpired}></secret-reference-field>`,
  (host) => $<SecretKeyPicker>(host, 'secret-key-picker'),
);
