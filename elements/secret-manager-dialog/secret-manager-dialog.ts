import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ConnectionDto, ConnectionScope, TestResult } from '../../shared/connections.ts';
import type { FieldDescription } from '../../shared/fields.ts';
import type { ProviderInfo } from '../../shared/providers/index.ts';
import { ModalController } from '../base/modal-controller.ts';
import { SmElement } from '../base/sm-element.ts';
import type { SecretManagersClient } from '../client.ts';
import { providersOf } from '../data/providers.ts';
import { allSettled } from '../data/settled.ts';
import { emit } from '../events.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import { renderProblem } from '../problem-notice.ts';
import type { Problem } from '../problems.ts';
import { providerLogo } from '../provider-logos.ts';
import '../sm-project-select/sm-project-select.ts';
import type { ProjectOption } from '../sm-project-select/sm-project-select.ts';
import { controls } from '../styles/controls.ts';
import { fieldStyles } from '../styles/field.ts';
import { tokens } from '../styles/tokens.ts';
import { configFromValues, secretsOfEdit, validateFields, validateName, valuesFromConfig, type FieldValues, type SecretsOfEdit } from './form-model.ts';
import { renderField } from './provider-fields.ts';
import { styles } from './secret-manager-dialog.styles.ts';

/** Where a server-side input path shows its message in this form. */
function fieldKey(path: string): string {
  if (path.startsWith('config.')) return path.slice('config.'.length);
  return path.split('.')[0] ?? path;
}

/**
 * @summary Creates or edits a secret manager connection: choose a provider, then name,
 * scope, auth method and the provider's fields (generated from `providers.list`). Saving
 * tests the connection first; a failure says why and saves nothing.
 *
 * @event sm-connection-created - `{ connection }` after a new connection was tested and saved.
 * @event sm-connection-updated - `{ connection }` after an edit was tested and saved.
 * @event close - The dialog closed (saved or not).
 * @event sm-auth-expired - The server refused the token; the element asks `getToken()` once more and retries.
 * @event sm-unauthorized - The retry was refused too.
 *
 * @csspart dialog - The dialog box.
 * @csspart header - Title and close button.
 * @csspart body - The scrolling content.
 * @csspart footer - The action buttons.
 * @csspart provider-card - A provider to choose in step 1.
 * @csspart field - One provider field with its label, help and error.
 * @csspart problem - Why the last test or save failed.
 *
 * @cssproperty --sm-color-primary - Accent colour of primary buttons and focus rings.
 * @cssproperty --sm-color-background - Dialog background.
 * @cssproperty --sm-radius - Corner radius of controls (the dialog uses 1.5×).
 */
@customElement('secret-manager-dialog')
export class SecretManagerDialog extends SmElement {
  static override styles = [tokens, controls, fieldStyles, styles];

  /** Opens or closes the dialog; `show()` does the same for a given connection. */
  @property({ type: Boolean, reflect: true }) open = false;

  /** Edit this saved connection when opened; without it the dialog creates one. */
  @property({ attribute: 'connection-id' }) connectionId?: string;

  @state() private loading = false;
  @state() private loadProblem: Problem | undefined;
  @state() private providers: ProviderInfo[] = [];
  @state() private projects: ProjectOption[] = [];
  @state() private editing: ConnectionDto | undefined;
  @state() private provider: ProviderInfo | undefined;
  @state() private name = '';
  @state() private scope: ConnectionScope = 'PLATFORM';
  @state() private projectIds: string[] = [];
  @state() private authMethod = '';
  @state() private values: FieldValues = {};
  @state() private storedSecrets = new Set<string>();
  /** Secret fields the server still asked for (CREDENTIALS_REQUIRED), whatever this form thinks changed. */
  @state() private owedByServer = new Set<string>();
  @state() private revealed = new Set<string>();
  @state() private advancedOpen = false;
  @state() private errors: Record<string, string> = {};
  @state() private problem: Problem | undefined;
  @state() private testResult: TestResult | undefined;
  @state() private busy: 'save' | 'test' | undefined;

  @query('dialog') private dialog!: HTMLDialogElement;

  private readonly modal = new ModalController(this, { dialog: () => this.dialog, requestClose: () => this.requestClose() });

  /** Opens the dialog to edit `connection`, or to create one when none is given. */
  show(connection?: Pick<ConnectionDto, 'id'>): void {
    this.connectionId = connection?.id;
    this.open = true;
  }

  close(): void {
    this.open = false;
  }

  private requestClose(): void {
    // A save in flight ends in a saved connection or a reason; closing would hide both.
    if (this.busy !== 'save') this.open = false;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return;
    if (this.open) void this.load();
    else this.reset();
  }

  override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return;
    if (this.open && !this.modal.isOpen) {
      this.modal.open();
    } else if (!this.open && this.modal.isOpen) {
      this.modal.close();
      this.dispatchEvent(new Event('close'));
    }
  }

  private get fields(): FieldDescription[] {
    return this.provider?.authMethods.find((m) => m.id === this.authMethod)?.fields ?? [];
  }

  private get secrets(): SecretsOfEdit {
    return secretsOfEdit({ fields: this.fields, values: this.values, authMethod: this.authMethod }, this.editing, this.storedSecrets, this.owedByServer);
  }

  private reset(): void {
    // Typed secrets live only as long as the dialog is open.
    this.values = {};
    this.owedByServer = new Set();
    this.revealed = new Set();
    this.errors = {};
    this.problem = undefined;
    this.testResult = undefined;
    this.editing = undefined;
    this.provider = undefined;
  }

  private async load(): Promise<void> {
    this.reset();
    this.loading = true;
    this.loadProblem = undefined;
    const connectionId = this.connectionId;
    try {
      const [providers, projects, connection] = await this.call((api) =>
        allSettled([providersOf(api), api.projects.list.query(), connectionId ? this.connectionToEdit(api, connectionId) : Promise.resolve(undefined)]),
      );
      this.providers = providers;
      this.projects = projects;
      if (connection) this.startEdit(connection);
      else this.startCreate();
    } catch (e) {
      this.loadProblem = this.problemOf(e);
    } finally {
      this.loading = false;
    }
    await this.updateComplete;
    if (!this.open) return;
    // The dialog opens after the first render; focus what the user came for once it shows.
    this.renderRoot.querySelector<HTMLElement>(this.loadProblem ? '.notice .button' : '.provider, #name')?.focus();
  }

  /**
   * The connection to edit. The server cannot `get` one whose stored credentials it cannot
   * decrypt: that one is edited from its listing, and every field is entered again.
   */
  private async connectionToEdit(api: SecretManagersClient, id: string): Promise<ConnectionDto> {
    try {
      return await api.secretManagers.get.query({ id });
    } catch (e) {
      if (this.problemOf(e).code !== 'CONNECTION_UNDECRYPTABLE') throw e;
      const listed = (await api.secretManagers.list.query(this.projectId ? { projectId: this.projectId } : undefined)).find((c) => c.id === id);
      if (!listed) throw e;
      return listed;
    }
  }

  private startCreate(): void {
    this.name = '';
    this.scope = this.projectId ? 'PROJECT' : 'PLATFORM';
    this.projectIds = this.projectId ? [this.projectId] : [];
    this.storedSecrets = new Set();
    this.advancedOpen = false;
  }

  private startEdit(connection: ConnectionDto): void {
    this.editing = connection;
    this.provider = this.providers.find((p) => p.id === connection.provider);
    this.name = connection.name;
    this.scope = connection.scope;
    this.projectIds = connection.projects.map((p) => p.id);
    this.authMethod = connection.authMethod;
    const { values, storedSecrets } = valuesFromConfig(connection.config);
    this.values = values;
    this.storedSecrets = storedSecrets;
    this.advancedOpen = this.fields.some((f) => f.advanced && values[f.name] !== undefined && values[f.name] !== '');
    const { status } = connection;
    if (status.state === 'undecryptable') {
      const code = 'CONNECTION_UNDECRYPTABLE';
      this.problem = { kind: 'provider', code, title: msg.errorTitles[code], message: status.message, hint: msg.reenterUndecryptable, fields: {} };
    }
  }

  private async chooseProvider(provider: ProviderInfo): Promise<void> {
    this.provider = provider;
    this.authMethod = provider.authMethods[0]?.id ?? '';
    this.errors = {};
    this.problem = undefined;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#name')?.focus();
  }

  private async backToProviders(): Promise<void> {
    const current = this.provider;
    this.provider = undefined;
    this.problem = undefined;
    this.testResult = undefined;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`[data-provider="${current?.id}"]`)?.focus();
  }

  override render() {
    const title = this.editing ? msg.editTitle(this.editing.name) : msg.createTitle;
    return html`<dialog part="dialog" aria-labelledby="title" @keydown=${this.modal.onKeydown} @cancel=${this.modal.onCancel}>
      ${this.open
        ? html`<div class="header" part="header">
              <h2 id="title">${title}</h2>
              <button type="button" class="icon-button" data-modal-first aria-label=${msg.close} @click=${this.requestClose}>${icons.close}</button>
            </div>
            ${this.renderContent()}`
        : nothing}
    </dialog>`;
  }

  private renderContent() {
    if (this.loading) {
      return html`<div class="body center" part="body">
        <span class="status" role="status"><span class="spinner" aria-hidden="true"></span>${msg.loading}</span>
      </div>`;
    }
    if (this.loadProblem) {
      return html`<div class="body" part="body">${renderProblem(this.loadProblem, { label: msg.retry, run: () => void this.load() })}</div>`;
    }
    return this.provider ? this.renderForm(this.provider) : this.renderProviders();
  }

  private renderProviders() {
    return html`<div class="body" part="body">
        <p id="choose" class="lead">${msg.chooseProvider}</p>
        <ul class="providers" aria-labelledby="choose">
          ${this.providers.map(
            (p) => html`<li>
              <button type="button" class="provider" part="provider-card" data-provider=${p.id} @click=${() => this.chooseProvider(p)}>
                ${providerLogo(p.id, 36)}<strong>${p.name}</strong><span>${p.description}</span>
              </button>
            </li>`,
          )}
        </ul>
      </div>
      <div class="footer" part="footer">
        <span class="footnote"></span>
        <button type="button" class="button" data-modal-last @click=${this.requestClose}>${msg.cancel}</button>
      </div>`;
  }

  private renderForm(provider: ProviderInfo) {
    const secrets = this.secrets;
    const fields = secrets.fields;
    const basic = fields.filter((f) => !f.advanced);
    const advanced = fields.filter((f) => f.advanced);
    const busy = this.busy !== undefined;
    return html`<form novalidate aria-busy=${busy ? 'true' : 'false'} @submit=${this.onSubmit}>
      <div class="body" part="body">
        <div class="provider-row">
          ${providerLogo(provider.id, 28)}<strong>${provider.name}</strong>
          ${this.editing
            ? nothing
            : html`<button type="button" class="button quiet" aria-label=${msg.changeProviderLabel} @click=${this.backToProviders}>${msg.changeProvider}</button>`}
        </div>
        ${this.renderName()} ${this.renderScope()}
        <fieldset @change=${this.onFieldChange}>
          <legend class="legend-row">${msg.authMethodLegend}</legend>
          <a class="guide" href=${provider.docsUrl} target="_blank" rel="noopener noreferrer">
            ${icons.external}${msg.setupGuide(provider.name)}<span class="visually-hidden">${msg.opensInNewTab}</span>
          </a>
          ${provider.authMethods.length > 1
            ? html`<div class="segmented" role="radiogroup" aria-label=${msg.authMethodLegend}>
                ${provider.authMethods.map(
                  (m) => html`<label>
                    <input
                      type="radio"
                      class="visually-hidden"
                      name="authMethod"
                      value=${m.id}
                      .checked=${m.id === this.authMethod}
                      @change=${() => this.setAuthMethod(m.id)}
                    />${m.label}
                  </label>`,
                )}
              </div>`
            : nothing}
          ${basic.map((f) => this.renderProviderField(f, secrets))}
          ${advanced.length > 0
            ? html`<details
                ?open=${this.advancedOpen || advanced.some((f) => this.errors[f.name])}
                @toggle=${(e: Event) => (this.advancedOpen = (e.target as HTMLDetailsElement).open)}
              >
                <summary>${msg.advanced}</summary>
                <div class="advanced">${advanced.map((f) => this.renderProviderField(f, secrets))}</div>
              </details>`
            : nothing}
        </fieldset>
        ${this.problem ? renderProblem(this.problem) : nothing}
        ${this.testResult
          ? html`<div class="notice success" role="status" tabindex="-1">
              ${icons.check}<strong>${this.testResult.identity ? msg.testSucceededAs(this.testResult.identity) : msg.testSucceeded}</strong>
            </div>`
          : nothing}
      </div>
      <div class="footer" part="footer">
        <p class="footnote" role="status">${this.busy === 'save' ? msg.saving : msg.savingHint}</p>
        <button type="button" class="button quiet" @click=${this.requestClose}>${msg.cancel}</button>
        <button type="button" class="button" aria-disabled=${busy ? 'true' : 'false'} @click=${this.onTest}>
          ${this.busy === 'test' ? html`<span class="spinner" aria-hidden="true"></span>${msg.testing}` : msg.testConnection}
        </button>
        <button type="submit" class="button primary" data-modal-last aria-disabled=${busy ? 'true' : 'false'}>
          ${this.busy === 'save' ? html`<span class="spinner" aria-hidden="true"></span>${msg.saving}` : this.editing ? msg.save : msg.create}
        </button>
      </div>
    </form>`;
  }

  private renderName() {
    const error = this.errors['name'];
    return html`<div class="field" part="field">
      <label for="name">${msg.nameLabel}</label>
      <input
        id="name"
        class="input"
        autocomplete="off"
        maxlength="100"
        required
        aria-describedby="name-help${error ? ' name-error' : ''}"
        aria-invalid=${error ? 'true' : nothing}
        .value=${this.name}
        @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}
      />
      <p id="name-help" class="help">${msg.nameHelp}</p>
      ${error ? html`<p id="name-error" class="error">${error}</p>` : nothing}
    </div>`;
  }

  private renderScope() {
    const choice = (scope: ConnectionScope, title: string, help: string) =>
      html`<label class="choice">
        <input
          type="radio"
          name="scope"
          value=${scope}
          aria-labelledby="scope-${scope}-title"
          aria-describedby="scope-${scope}-help"
          .checked=${this.scope === scope}
          @change=${() => (this.scope = scope)}
        />
        <strong id="scope-${scope}-title">${title}</strong><span id="scope-${scope}-help">${help}</span>
      </label>`;
    return html`<fieldset>
      <legend>${msg.scopeLegend}</legend>
      <div class="choices">
        ${choice('PLATFORM', msg.scopePlatformOption, msg.scopePlatformOptionHelp)}
        ${choice('PROJECT', msg.scopeProjectOption, msg.scopeProjectOptionHelp)}
      </div>
      ${this.scope === 'PROJECT'
        ? html`<sm-project-select
            class=${this.errors['projectIds'] ? 'invalid' : ''}
            label=${msg.projectsLabel}
            required
            theme=${this.theme ?? nothing}
            .projects=${this.projects}
            .value=${this.projectIds}
            .error=${this.errors['projectIds'] ?? ''}
            @change=${(e: Event) => (this.projectIds = [...(e.target as HTMLElement & { value: string[] }).value])}
          ></sm-project-select>`
        : nothing}
    </fieldset>`;
  }

  private renderProviderField(field: FieldDescription, secrets: SecretsOfEdit) {
    return renderField(
      field,
      {
        value: this.values[field.name],
        error: this.errors[field.name],
        stored: secrets.kept.has(field.name),
        reenter: secrets.reenter.has(field.name),
        revealed: this.revealed.has(field.name),
      },
      {
        input: (name, value) => {
          this.values = { ...this.values, [name]: value };
          this.testResult = undefined;
          if (this.errors[name]) this.checkField(name);
        },
        toggleReveal: (name) => {
          const revealed = new Set(this.revealed);
          if (!revealed.delete(name)) revealed.add(name);
          this.revealed = revealed;
        },
      },
    );
  }

  private setAuthMethod(id: string): void {
    this.authMethod = id;
    this.errors = {};
    this.testResult = undefined;
  }

  /** A field is checked when the user leaves it changed, and again as they correct it. */
  private onFieldChange(event: Event): void {
    const id = (event.target as Element).id;
    if (id.startsWith('f-')) this.checkField(id.slice(2));
  }

  private checkField(name: string): void {
    const { fields, kept } = this.secrets;
    const field = fields.find((f) => f.name === name);
    if (!field) return;
    const errors = { ...this.errors };
    delete errors[name];
    const error = validateFields([field], this.values, kept)[name];
    this.errors = error ? { ...errors, [name]: error } : errors;
  }

  /** Client-side checks; moves focus to the first field that needs attention. */
  private async checkInput(scope: 'save' | 'test'): Promise<boolean> {
    const { fields, kept } = this.secrets;
    const errors = validateFields(fields, this.values, kept);
    if (scope === 'save') {
      const nameError = validateName(this.name);
      if (nameError) errors['name'] = nameError;
      if (this.scope === 'PROJECT' && this.projectIds.length === 0) errors['projectIds'] = msg.projectsRequired;
    }
    this.errors = errors;
    if (Object.keys(errors).length === 0) return true;
    await this.focusFirstInvalid();
    return false;
  }

  private async focusFirstInvalid(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"], sm-project-select.invalid')?.focus();
  }

  private get configInput() {
    return configFromValues(this.fields, this.values);
  }

  private async onTest(): Promise<void> {
    const provider = this.provider;
    if (this.busy || !provider || !(await this.checkInput('test'))) return;
    this.busy = 'test';
    this.problem = undefined;
    this.testResult = undefined;
    try {
      const input = this.editing
        ? { id: this.editing.id, authMethod: this.authMethod, config: this.configInput }
        : { provider: provider.id, authMethod: this.authMethod, config: this.configInput };
      this.testResult = await this.call((api) => api.secretManagers.test.mutate(input));
    } catch (e) {
      await this.report(e);
    } finally {
      this.busy = undefined;
    }
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const provider = this.provider;
    if (this.busy || !provider || !(await this.checkInput('save'))) return;
    this.busy = 'save';
    this.problem = undefined;
    this.testResult = undefined;
    const common = {
      name: this.name.trim(),
      authMethod: this.authMethod,
      scope: this.scope,
      ...(this.scope === 'PROJECT' && { projectIds: this.projectIds }),
      config: this.configInput,
    };
    try {
      const editing = this.editing;
      const connection = await this.call((api) =>
        editing ? api.secretManagers.update.mutate({ id: editing.id, ...common }) : api.secretManagers.create.mutate({ provider: provider.id, ...common }),
      );
      this.busy = undefined;
      emit(this, editing ? 'sm-connection-updated' : 'sm-connection-created', { connection });
      this.open = false;
    } catch (e) {
      this.busy = undefined;
      await this.report(e);
    }
  }

  /** Field messages go next to their fields; anything else is shown above the buttons. */
  private async report(error: unknown): Promise<void> {
    const problem = this.problemOf(error);
    const errors: Record<string, string> = {};
    const unplaced: string[] = [];
    const known = new Set(['name', 'projectIds', ...this.fields.map((f) => f.name)]);
    for (const [path, message] of Object.entries(problem.fields)) {
      const key = fieldKey(path);
      if (known.has(key)) errors[key] = message;
      else unplaced.push(message);
    }
    if (problem.kind === 'conflict' && problem.message) errors['name'] = problem.message;
    if (problem.code === 'CREDENTIALS_REQUIRED') {
      // What was typed stays; the named secrets stop offering to keep their stored value.
      this.owedByServer = new Set(this.fields.filter((f) => f.secret && errors[f.name]).map((f) => f.name));
    }
    this.errors = errors;
    const placed = Object.keys(errors).length > 0 && unplaced.length === 0 && (problem.kind === 'invalid' || problem.kind === 'conflict');
    this.problem = placed ? undefined : { ...problem, ...(unplaced.length > 0 && { message: unplaced.join(' ') }) };
    if (placed) return this.focusFirstInvalid();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[part=problem]')?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'secret-manager-dialog': SecretManagerDialog;
  }
}
