import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ListSecretNamesOutput } from '../../shared/secrets.ts';
import type { PathSyntax } from '../../shared/secret-path.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import { isAbort, type Problem } from '../problems.ts';
import { controls } from '../styles/controls.ts';
import { fieldStyles } from '../styles/field.ts';
import { tokens } from '../styles/tokens.ts';
import { revealActiveOption, stepActive } from '../base/active-option.ts';
import { opensUpwards } from '../base/drop-direction.ts';
import { browsePrefix, isFolder, listedFolder, parentOf } from './browse-prefix.ts';
import { popupList, POPUP_LIST_HEIGHT } from '../styles/listbox.ts';
import { styles } from './sm-secret-path-input.styles.ts';

/** Lists one page of secret names; throws a Problem-carrying error when the provider refuses. */
export type SecretLister = (query: { prefix: string; pageToken?: string }, signal: AbortSignal) => Promise<ListSecretNamesOutput>;

/** Thrown by a lister, so this element can tell "not allowed to list" from other failures. */
export class ListingFailed extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message ?? problem.title);
  }
}

/** Quiet time after a key press before asking the provider, so typing a name makes one request, not one per letter. */
const DEBOUNCE_MS = 250;

export interface SecretChosenDetail {
  path: string;
}

/**
 * @summary The secret path input of the key picker: the provider's placeholder, help and
 * examples, and autocomplete from the provider's list of names (debounced, paginated,
 * folder by folder). When listing is refused it says so once and typing goes on as usual.
 *
 * @event input - The path changed; read `value`.
 * @event sm-secret-chosen - `{ path }`: a secret (not a folder) was picked from the suggestions.
 *
 * @csspart input - The text input.
 * @csspart listbox - The suggestions.
 */
@customElement('sm-secret-path-input')
export class SmSecretPathInput extends LitElement {
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [tokens, controls, fieldStyles, popupList, styles];

  @property() label = '';
  @property() value = '';
  @property({ attribute: false }) syntax: PathSyntax | undefined;
  /** How to list names; a new function means another connection, and forgets what was listed. */
  @property({ attribute: false }) lister: SecretLister | undefined;
  /** A message under the input that marks it invalid. */
  @property() error = '';

  @state() private expanded = false;
  @state() private active = -1;
  @state() private names: string[] = [];
  @state() private nextPageToken: string | undefined;
  @state() private loading = false;
  @state() private note = '';
  @state() private upwards = false;

  @query('input') private input!: HTMLInputElement;

  /** First pages by prefix: going back a folder or deleting a letter shows names at once. */
  private pages = new Map<string, ListSecretNamesOutput>();
  /** Folders the provider refused to list: not asked again for this connection. */
  private deniedFolders = new Set<string>();
  private shownPrefix: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private request: AbortController | undefined;

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('lister')) {
      this.pages.clear();
      this.deniedFolders.clear();
      this.cancel();
      this.names = [];
      this.nextPageToken = undefined;
      this.shownPrefix = undefined;
      this.note = '';
      this.expanded = false;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.cancel();
  }

  override render() {
    const syntax = this.syntax;
    const showList = this.expanded && this.names.length > 0;
    const activeId = showList && this.active >= 0 ? `name-${this.active}` : undefined;
    const describedBy = ['help', syntax?.examples.length ? 'examples' : '', this.note ? 'note' : '', this.error ? 'error' : ''].filter(Boolean).join(' ');
    // Help sits between label and input (as GOV.UK does), so open suggestions never cover it.
    return html`<label for="path">${this.label}</label>
      <p id="help" class="help">${syntax?.help ?? ''}</p>
      ${syntax?.examples.length
        ? html`<p id="examples" class="help">${msg.pathExamples} ${syntax.examples.map((e, i) => html`${i > 0 ? ', ' : ''}<code>${e}</code>`)}</p>`
        : nothing}
      <div class="combo ${this.upwards ? 'upwards' : ''}">
        <input
          id="path"
          class="input mono"
          part="input"
          role="combobox"
          aria-autocomplete="list"
          aria-controls="listbox"
          aria-expanded=${showList ? 'true' : 'false'}
          aria-activedescendant=${activeId ?? nothing}
          aria-describedby=${describedBy || nothing}
          aria-invalid=${this.error ? 'true' : nothing}
          autocomplete="off"
          autocapitalize="off"
          spellcheck="false"
          placeholder=${syntax?.placeholder ?? ''}
          .value=${this.value}
          @input=${this.onInput}
          @keydown=${this.onKeydown}
          @focus=${() => this.browse(0)}
          @click=${() => this.browse(0)}
          @blur=${() => (this.expanded = false)}
        />
        <ul id="listbox" part="listbox" role="listbox" class="popup" aria-label=${this.label} ?hidden=${!showList} @scroll=${this.onScroll}>
          ${this.names.map((name, i) => this.renderOption(name, i))}
          ${this.nextPageToken && !this.loading
            ? html`<li id="name-${this.names.length}" role="option" aria-selected="false" class="more ${this.active === this.names.length ? 'active' : ''}" @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.loadMore()}>
                ${msg.moreSecretNames}
              </li>`
            : nothing}
          ${this.loading && showList ? html`<li class="loading" role="option" aria-disabled="true" aria-selected="false">${this.renderLoading()}</li>` : nothing}
        </ul>
        ${this.expanded && this.loading && !showList ? html`<div class="popup loading">${this.renderLoading()}</div>` : nothing}
      </div>
      ${this.error ? html`<p id="error" class="error">${this.error}</p>` : nothing}
      ${this.note ? html`<p id="note" class="note">${icons.alert}<span>${this.note}</span></p>` : nothing}
      <span class="visually-hidden" role="status">${this.expanded && !this.loading && this.shownPrefix !== undefined ? msg.secretNameCount(this.names.length) : ''}</span>`;
  }

  private renderLoading() {
    return html`<span class="spinner" aria-hidden="true"></span>${msg.browsingSecrets}`;
  }

  private renderOption(name: string, index: number) {
    const folder = parentOf(name);
    const rest = name.slice(folder.length);
    return html`<li
      id="name-${index}"
      role="option"
      aria-selected="false"
      class=${index === this.active ? 'active' : ''}
      @mousedown=${(e: Event) => e.preventDefault()}
      @click=${() => this.pick(name)}
    >
      ${isFolder(name) ? icons.folder : icons.key}
      <span class="name"><span class="folder">${folder}</span><strong>${rest}</strong></span>
      ${isFolder(name) ? html`<span class="kind">${msg.secretFolder}</span>` : nothing}
    </li>`;
  }

  private onInput(): void {
    this.value = this.input.value;
    this.dispatchEvent(new Event('input', { bubbles: true }));
    this.browse(DEBOUNCE_MS);
  }

  /** Shows names for what is typed: at once from memory, else after `delay` from the provider. */
  private browse(delay: number): void {
    clearTimeout(this.timer);
    const prefix = browsePrefix(this.value);
    if (!this.lister || prefix === undefined) {
      this.cancel();
      this.expanded = false;
      return;
    }
    if (!this.expanded) this.upwards = opensUpwards(this.input, POPUP_LIST_HEIGHT);
    this.expanded = true;
    if (this.deniedFolders.has(listedFolder(prefix))) {
      this.cancel();
      this.showNames([], undefined, prefix);
      return;
    }
    const remembered = this.pages.get(prefix);
    if (remembered) {
      this.cancel();
      this.showNames(remembered.names, remembered.nextPageToken, prefix);
      return;
    }
    if (prefix === this.shownPrefix && !this.loading) return;
    // Until the provider answers, the names already shown that still match stay in view.
    this.names = this.names.filter((n) => n.startsWith(prefix));
    this.active = Math.min(this.active, this.names.length - 1);
    this.timer = setTimeout(() => void this.fetchPage(prefix, undefined), delay);
  }

  private cancel(): void {
    clearTimeout(this.timer);
    this.request?.abort();
    this.request = undefined;
    this.loading = false;
  }

  private async fetchPage(prefix: string, pageToken: string | undefined): Promise<void> {
    const lister = this.lister;
    if (!lister) return;
    this.request?.abort();
    const request = (this.request = new AbortController());
    this.loading = true;
    try {
      const page = await lister(pageToken ? { prefix, pageToken } : { prefix }, request.signal);
      if (request.signal.aborted) return;
      if (pageToken) {
        this.showNames([...this.names, ...page.names], page.nextPageToken, prefix);
      } else {
        this.pages.set(prefix, page);
        this.showNames(page.names, page.nextPageToken, prefix);
      }
    } catch (e) {
      if (request.signal.aborted || isAbort(e)) return;
      const problem = e instanceof ListingFailed ? e.problem : undefined;
      if (problem?.code === 'PERMISSION_DENIED') {
        this.deniedFolders.add(listedFolder(prefix));
        // The provider's own words say what may not be listed, e.g. Vault's mounts but not a folder.
        this.note = problem.message ?? msg.browseDenied;
      } else if (problem?.kind !== 'unauthorized') {
        // The picker shows an expired session itself; anything else only costs the suggestions.
        this.note = msg.browseFailed(problem?.message ?? problem?.title ?? String(e));
      }
      this.showNames([], undefined, prefix);
    } finally {
      if (this.request === request) {
        this.request = undefined;
        this.loading = false;
      }
    }
  }

  private showNames(names: string[], nextPageToken: string | undefined, prefix: string): void {
    const grew = prefix === this.shownPrefix && names.length > this.names.length;
    this.names = names;
    this.nextPageToken = nextPageToken;
    this.shownPrefix = prefix;
    if (!grew) this.active = -1;
    if (!this.deniedFolders.has(listedFolder(prefix)) && names.length > 0) this.note = '';
  }

  private loadMore(): void {
    if (!this.nextPageToken || this.loading || this.shownPrefix === undefined) return;
    void this.fetchPage(this.shownPrefix, this.nextPageToken);
  }

  private onScroll(event: Event): void {
    const list = event.target as HTMLElement;
    if (list.scrollTop + list.clientHeight >= list.scrollHeight - 24) this.loadMore();
  }

  private pick(name: string): void {
    this.value = name;
    this.input.value = name;
    this.dispatchEvent(new Event('input', { bubbles: true }));
    this.input.focus();
    if (isFolder(name)) {
      this.browse(0);
      return;
    }
    this.expanded = false;
    this.dispatchEvent(new CustomEvent<SecretChosenDetail>('sm-secret-chosen', { detail: { path: name }, bubbles: true, composed: true }));
  }

  private onKeydown(event: KeyboardEvent): void {
    const optionCount = this.names.length + (this.nextPageToken ? 1 : 0);
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        if (!this.expanded) {
          this.browse(0);
          return;
        }
        if (optionCount === 0) return;
        this.active = stepActive(this.active, event.key === 'ArrowDown' ? 1 : -1, optionCount);
        revealActiveOption(this);
        return;
      }
      case 'Enter': {
        if (!this.expanded || this.active < 0) return;
        // Enter picks the suggestion; it must not submit a form around us.
        event.preventDefault();
        const name = this.names[this.active];
        if (name === undefined) this.loadMore();
        else this.pick(name);
        return;
      }
      case 'Escape':
        // The first Escape closes the suggestions; only the next one closes the picker.
        if (this.expanded && optionCount > 0) {
          event.preventDefault();
          event.stopPropagation();
          this.expanded = false;
        }
        return;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sm-secret-path-input': SmSecretPathInput;
  }
  interface GlobalEventHandlersEventMap {
    'sm-secret-chosen': CustomEvent<SecretChosenDetail>;
  }
}
