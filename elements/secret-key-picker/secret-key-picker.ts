import { initialState, Task } from '@lit/task';
import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ConnectionDto } from '../../shared/connections.ts';
import type { ProviderInfo } from '../../shared/providers/index.ts';
import { formatReference, parseReference, type SecretReference } from '../../shared/reference.ts';
import { parseSecretPath } from '../../shared/secret-path.ts';
import { AnchoredPopover } from '../base/anchored-popover.ts';
import { deepActiveElement } from '../base/focus.ts';
import { SmElement } from '../base/sm-element.ts';
import { isUnauthorized } from '../base/token-retry.ts';
import { canAuthenticate, type SecretManagersClient } from '../client.ts';
import { allSettled } from '../data/settled.ts';
import { usableConnections } from '../data/connections.ts';
import { providersOf } from '../data/providers.ts';
import { emit, type ReferenceChangeDetail } from '../events.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import { renderProblem } from '../problem-notice.ts';
import { isAbort, type Problem } from '../problems.ts';
import '../sm-connection-select/sm-connection-select.ts';
import { ListingFailed, type SecretLister } from '../sm-secret-path-input/sm-secret-path-input.ts';
import { controls } from '../styles/controls.ts';
import { tokens } from '../styles/tokens.ts';
import { renderCheckOutcome, withKey, type CheckOutcome } from './check-outcome.ts';
import { renderReferenceChip } from './reference-chip.ts';
import { styles } from './secret-key-picker.styles.ts';

/** Suggestions per request: a screenful, so every provider answers fast. */
const NAMES_PAGE_SIZE = 50;

const found = (o: CheckOutcome | undefined): o is CheckOutcome => o?.result?.exists === true;

/**
 * @summary The key icon to put beside a credential input: pick a connection this context
 * may use and a secret path (browsing the provider's names, checking that it resolves and
 * picking a JSON key), and the field holds a reference `{{sm:<connection>:<path>}}`
 * instead of the secret. With a reference set it shows a chip, with a button to go back
 * to typing a value. It never receives a secret value.
 *
 * @event change - `value` changed (a reference was chosen, or cleared).
 * @event sm-reference-change - `{ reference, connectionId, path }`; all empty when cleared.
 * @event sm-auth-expired - The server refused the token. The picker asks `getToken()` once more right after, so a host can hand out a fresh one (or set `token` in the listener).
 * @event sm-unauthorized - The token was refused again: the picker shows the expired state.
 *
 * @csspart button - The key icon button.
 * @csspart chip - The chosen reference: connection and path.
 * @csspart popover - The panel to choose a secret.
 * @csspart problem - Why something failed, and what to do.
 * @csspart check-result - A secret that was found, with its JSON keys to choose from.
 *
 * @cssstate empty - No connection is usable here (the picker is hidden unless `show-when-empty`).
 * @cssstate expired - The token was refused: open the picker to see why and retry.
 * @cssstate reference - `value` holds a reference (the chip is shown).
 *
 * @cssproperty --sm-color-primary - Accent: the primary button, focus rings, the chip's key.
 * @cssproperty --sm-color-surface - The chip's background.
 * @cssproperty --sm-color-background - The popover's background.
 * @cssproperty --sm-shadow - The popover's shadow.
 * @cssproperty --sm-radius - Corner radius.
 */
@customElement('secret-key-picker')
export class SecretKeyPicker extends SmElement {
  static override styles = [tokens, controls, styles];

  /** A reference (`{{sm:<connectionId>:<path>}}`) or empty. Anything else counts as empty. */
  @property() value = '';

  @property({ type: Boolean, reflect: true }) disabled = false;

  /** Show the key icon even when no connection is usable here (the panel then says so). */
  @property({ type: Boolean, attribute: 'show-when-empty' }) showWhenEmpty = false;

  /** The name of the field this picker fills, e.g. "Bot Token": used in the texts people and screen readers get. */
  @property() label = '';

  @state() private connections: ConnectionDto[] | undefined;
  @state() private providers: ProviderInfo[] = [];
  @state() private loadProblem: Problem | undefined;
  /** The server refused the token twice (before and after asking for a fresh one). */
  @state() private expired: Problem | undefined;
  @state() private open = false;
  @state() private connectionId = '';
  @state() private path = '';
  @state() private pathError = '';
  @state() private checking = false;
  @state() private outcome: CheckOutcome | undefined;
  @state() private lister: SecretLister | undefined;
  /** The reference being edited points to a connection this context cannot use. */
  @state() private unavailable = false;

  @query('#popover') private popoverElement!: HTMLElement;
  @query('.trigger') private trigger!: HTMLElement;

  private readonly internals = this.attachInternals();
  private readonly placement = new AnchoredPopover(this, { popover: () => this.popoverElement, anchor: () => this.trigger });

  private readonly loader = new Task(this, {
    task: async ([api, projectId]) => {
      if (!api) return initialState;
      // An open panel shows current statuses; closed, a recent answer shared with other pickers will do.
      const maxAge = this.open ? 0 : undefined;
      const [providers, connections] = await this.authorized((api) => allSettled([providersOf(api), usableConnections(api, projectId, maxAge)]));
      return { providers, connections };
    },
    // Nothing is asked while disconnected (a closing popover still updates a removed element),
    // nor before there is a token to send: hosts often call configure() after the elements load.
    args: () => [this.isConnected && (this.client || canAuthenticate(this.token)) ? this.api : undefined, this.projectId] as const,
    onComplete: ({ providers, connections }) => {
      this.providers = providers;
      this.connections = connections;
      this.loadProblem = undefined;
      if (this.open) this.chooseDefaultConnection();
    },
    onError: (error) => {
      // An expired token was described (and reported to the host) as it happened.
      this.loadProblem = this.expired ?? this.problemOf(error);
    },
  });

  private get reference(): SecretReference | undefined {
    return parseReference(this.value);
  }

  private get connection(): ConnectionDto | undefined {
    return this.connections?.find((c) => c.id === this.connectionId);
  }

  /** Opens the panel (as the key icon does). */
  show(): void {
    if (!this.disabled) this.popoverElement.showPopover();
  }

  /** Closes the panel without changing `value`. */
  hide(): void {
    if (this.placement.isOpen) this.popoverElement.hidePopover();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved elsewhere in the page: the loader's arguments are read again on this update.
    if (this.hasUpdated) this.requestUpdate();
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('client') || changed.has('apiUrl') || changed.has('token')) this.expired = undefined;
  }

  override updated(): void {
    const states = this.internals.states;
    const empty = !this.reference && !this.showWhenEmpty && !this.loadProblem && (this.connections?.length ?? 0) === 0;
    toggleState(states, 'empty', empty);
    toggleState(states, 'expired', this.expired !== undefined);
    toggleState(states, 'reference', this.reference !== undefined);
  }

  override render() {
    const reference = this.reference;
    const chip =
      reference &&
      renderReferenceChip({
        reference,
        connections: this.connections,
        label: this.label,
        expanded: this.open,
        disabled: this.disabled,
        onClear: () => void this.clear(),
      });
    return html`${chip || this.renderButton()}
      <div
        id="popover"
        part="popover"
        popover="auto"
        role="dialog"
        aria-labelledby="title"
        @beforetoggle=${this.onBeforeToggle}
        @toggle=${this.onToggle}
        @keydown=${this.onPopoverKeydown}
        @focusout=${this.onPopoverFocusOut}
      >
        ${this.open ? this.renderPanel() : nothing}
      </div>`;
  }

  private renderButton() {
    const troubled = this.expired ?? this.loadProblem;
    return html`<button
        type="button"
        class="icon-button trigger key ${troubled ? 'troubled' : ''}"
        part="button"
        popovertarget="popover"
        aria-label=${msg.useSecretManager}
        aria-haspopup="dialog"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-describedby=${troubled ? 'trouble' : nothing}
        title=${msg.useSecretManager}
        ?disabled=${this.disabled}
      >
        ${icons.key}
      </button>
      ${troubled ? html`<span id="trouble" class="visually-hidden">${troubled.title}</span>` : nothing}`;
  }

  private renderPanel() {
    return html`<div class="header">
        <h2 id="title">${msg.pickerTitle}</h2>
        <button type="button" class="icon-button" aria-label=${msg.close} @click=${() => this.hide()}>${icons.close}</button>
      </div>
      ${this.renderBody()}`;
  }

  private renderBody() {
    const retry = { label: msg.retry, run: () => void this.retry() };
    if (this.expired) return renderProblem(this.expired, retry);
    if (!this.connections) {
      return this.loadProblem
        ? renderProblem(this.loadProblem, retry)
        : html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${msg.loading}</p>`;
    }
    if (this.connections.length === 0) {
      return html`<div class="empty" role="status"><strong>${msg.noConnectionsTitle}</strong><p>${msg.noConnectionsHint}</p></div>`;
    }
    return this.renderForm(this.connections);
  }

  private renderForm(connections: ConnectionDto[]) {
    const provider = this.providers.find((p) => p.id === this.connection?.provider);
    const path = this.path.trim();
    const outcome = this.currentOutcome;
    const busy = this.checking ? 'true' : 'false';
    return html`<form novalidate @submit=${this.onUse}>
      <p class="lead">${msg.pickerLead(this.label)}</p>
      ${this.unavailable ? html`<p class="warning">${icons.alert}<span>${msg.unavailableConnectionHint}</span></p>` : nothing}
      <sm-connection-select
        label=${msg.connectionLabel}
        theme=${this.theme ?? nothing}
        .connections=${connections}
        .providerNames=${Object.fromEntries(this.providers.map((p) => [p.id, p.name]))}
        .value=${this.connectionId}
        @change=${this.onConnectionChange}
      ></sm-connection-select>
      <sm-secret-path-input
        label=${msg.pathLabel}
        theme=${this.theme ?? nothing}
        .syntax=${provider?.path}
        .value=${this.path}
        .lister=${this.lister}
        .error=${this.pathError}
        @input=${this.onPathInput}
        @sm-secret-chosen=${() => void this.check()}
      ></sm-secret-path-input>
      <p class="visually-hidden" role="status">${this.checking ? msg.checkingSecret : found(outcome) ? msg.secretFound : ''}</p>
      ${this.checking
        ? html`<p class="loading"><span class="spinner" aria-hidden="true"></span>${msg.checkingSecret}</p>`
        : outcome
          ? renderCheckOutcome(outcome, path, (key) => this.chooseKey(key))
          : nothing}
      <div class="actions">
        <button type="button" class="button" aria-disabled=${busy} @click=${() => void this.check()}>${msg.checkSecret}</button>
        <button type="submit" class="button primary" aria-disabled=${busy}>${outcome && !found(outcome) ? msg.useAnyway : msg.useSecret}</button>
      </div>
    </form>`;
  }

  /** A call with the token retry; a token refused twice is the expired state, shown until a call succeeds. */
  private async authorized<T>(work: (api: SecretManagersClient) => Promise<T>): Promise<T> {
    try {
      const result = await this.call(work);
      this.expired = undefined;
      return result;
    } catch (error) {
      if (isUnauthorized(error)) this.expired = this.problemOf(error);
      throw error;
    }
  }

  /** "Try again" after a refused token or a failed load; the button goes, so focus moves on to the form. */
  private async retry(): Promise<void> {
    this.expired = undefined;
    this.loadProblem = undefined;
    await this.loader.run();
    await this.updateComplete;
    if (this.open) this.focusFirst();
  }

  private onBeforeToggle(event: ToggleEvent): void {
    if (event.newState !== 'open') return;
    this.open = true;
    const reference = this.reference;
    this.path = reference?.path ?? '';
    this.pathError = '';
    this.outcome = undefined;
    this.unavailable = false;
    if (reference) this.setConnection(reference.connectionId);
    this.chooseDefaultConnection();
    void this.loader.run();
  }

  private async onToggle(event: ToggleEvent): Promise<void> {
    if (event.newState === 'open') {
      this.placement.follow();
      await this.updateComplete;
      this.focusFirst();
      return;
    }
    this.placement.unfollow();
    // Focus was inside the panel that just closed (Escape, the close button): back to the control that opened it.
    const active = this.shadowRoot!.activeElement;
    const lost = !deepActiveElement() || deepActiveElement() === document.body;
    this.open = false;
    if (lost || (active && this.popoverElement.contains(active))) {
      await this.updateComplete;
      this.trigger?.focus();
    }
  }

  private focusFirst(): void {
    const target = this.renderRoot.querySelector<HTMLElement>(
      this.expired || this.loadProblem ? '[part=problem] .button' : this.connection ? 'sm-secret-path-input' : 'sm-connection-select',
    );
    (target ?? this.renderRoot.querySelector<HTMLElement>('.header .icon-button'))?.focus();
  }

  /** Tabbing out of the panel closes it: a panel left open behind the focus would hide what people tab to. */
  private onPopoverFocusOut(event: FocusEvent): void {
    const next = event.relatedTarget as Node | null;
    if (next && !this.shadowRoot!.contains(next)) this.hide();
  }

  private onPopoverKeydown(event: KeyboardEvent): void {
    // Handled here so a host's own Escape handling (closing its dialog) never sees it.
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    this.hide();
  }

  /**
   * Once connections are known: the reference's connection if usable here (else none, and
   * the panel says why), or the last one used, or the first.
   */
  private chooseDefaultConnection(): void {
    const connections = this.connections;
    if (!connections || this.connection || this.unavailable) return;
    this.unavailable = this.connectionId !== '' && this.connectionId === this.reference?.connectionId;
    this.setConnection(this.unavailable ? '' : (connections[0]?.id ?? ''));
  }

  private setConnection(connectionId: string): void {
    if (connectionId === this.connectionId && this.lister) return;
    this.connectionId = connectionId;
    this.lister = connectionId ? this.listerFor(connectionId) : undefined;
  }

  private listerFor(connectionId: string): SecretLister {
    return async ({ prefix, pageToken }, signal) => {
      try {
        return await this.authorized((api) =>
          api.secrets.list.query(
            { connectionId, prefix, pageSize: NAMES_PAGE_SIZE, ...(pageToken && { pageToken }), ...(this.projectId && { projectId: this.projectId }) },
            { signal },
          ),
        );
      } catch (e) {
        if (isAbort(e)) throw e;
        throw new ListingFailed(this.problemOf(e));
      }
    };
  }

  private onConnectionChange(event: Event): void {
    this.setConnection((event.target as HTMLElement & { value: string }).value);
    this.unavailable = false;
    this.pathError = '';
  }

  private onPathInput(event: Event): void {
    this.path = (event.target as HTMLElement & { value: string }).value;
    this.pathError = '';
  }

  /** Choosing a key of a found secret needs no new check: the secret is the same. */
  private chooseKey(key: string | undefined): void {
    this.path = withKey(this.path.trim(), key);
    if (this.outcome) this.outcome = { ...this.outcome, path: this.path };
  }

  private pathProblem(path: string): string {
    if (!path) return msg.pathRequired;
    const parsed = parseSecretPath(path);
    if (!parsed.ok) return parsed.message;
    // The reference format ends at the first "}}": a path containing one could not be read back.
    return parseReference(formatReference({ connectionId: this.connectionId, path }))?.path === path ? '' : msg.pathHasBraces;
  }

  private async focusPath(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('sm-secret-path-input')?.focus();
  }

  /** Asks the server whether the path resolves (never for the value) and shows what it says. */
  private async check(): Promise<CheckOutcome | undefined> {
    const connectionId = this.connectionId;
    const path = this.path.trim();
    if (this.checking || !connectionId) return undefined;
    this.pathError = this.pathProblem(path);
    if (this.pathError) {
      await this.focusPath();
      return undefined;
    }
    this.checking = true;
    let outcome: CheckOutcome | undefined;
    try {
      const result = await this.authorized((api) =>
        api.secrets.check.query({ connectionId, path, ...(this.projectId && { projectId: this.projectId }) }),
      );
      outcome = { connectionId, path, result };
    } catch (e) {
      if (!this.expired) outcome = { connectionId, path, problem: this.problemOf(e) };
    } finally {
      this.checking = false;
    }
    this.outcome = outcome;
    return outcome;
  }

  /** The outcome on screen, if it is about the connection and path as they are now. */
  private get currentOutcome(): CheckOutcome | undefined {
    const o = this.outcome;
    return o?.connectionId === this.connectionId && o.path === this.path.trim() ? o : undefined;
  }

  /**
   * "Use secret" checks first, unless this very path was checked. A secret the check did not
   * find stays on screen with "Use anyway": using it then is a deliberate second click.
   */
  private async onUse(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.checking) return;
    if (this.currentOutcome) return this.apply({ connectionId: this.connectionId, path: this.path.trim() });
    const outcome = await this.check();
    // Applied only if the person did not change the connection or path while the check ran.
    if (found(outcome) && outcome.connectionId === this.connectionId && outcome.path === this.path.trim()) await this.apply(outcome);
  }

  private async apply({ connectionId, path }: SecretReference): Promise<void> {
    this.hide();
    this.commit({ reference: formatReference({ connectionId, path }), connectionId, path });
    await this.updateComplete;
    this.trigger.focus();
  }

  /** Sets `value` as the person chose it and tells the host: `change`, then `sm-reference-change`. */
  private commit(detail: ReferenceChangeDetail): void {
    this.value = detail.reference;
    this.dispatchEvent(new Event('change', { bubbles: true }));
    emit(this, 'sm-reference-change', detail);
  }

  /** Back to typing: the reference goes, and the host shows its own input again. */
  private async clear(): Promise<void> {
    this.commit({ reference: '', connectionId: '', path: '' });
    await this.updateComplete;
    // A host that moved focus to its input in a listener keeps it; otherwise the key icon takes it.
    const active = deepActiveElement();
    if (!active || active === document.body) this.trigger?.focus();
  }
}

function toggleState(states: CustomStateSet, name: string, on: boolean): void {
  if (on) states.add(name);
  else states.delete(name);
}

declare global {
  interface HTMLElementTagNameMap {
    'secret-key-picker': SecretKeyPicker;
  }
}
