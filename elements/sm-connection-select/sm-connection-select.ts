import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ConnectionDto, ConnectionStatus } from '../../shared/connections.ts';
import { revealActiveOption } from '../base/active-option.ts';
import { opensUpwards } from '../base/drop-direction.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import { providerLogo } from '../provider-logos.ts';
import { controls } from '../styles/controls.ts';
import { tokens } from '../styles/tokens.ts';
import { popupList, POPUP_LIST_HEIGHT } from '../styles/listbox.ts';
import { styles } from './sm-connection-select.styles.ts';

/** Typed letters within this time add up to one search ("ve" → "Vault", not "Vault" then "Engine"). */
const TYPEAHEAD_MS = 600;

/**
 * @summary A single-choice dropdown of secret manager connections, each with its provider
 * logo, provider name and status: the WAI-ARIA "select-only combobox" pattern, because a
 * native `<select>` cannot show logos.
 *
 * @event change - Another connection was chosen; read `value`.
 *
 * @csspart combobox - The closed control showing the chosen connection.
 * @csspart listbox - The open list of connections.
 * @csspart option - One connection in the list.
 */
@customElement('sm-connection-select')
export class SmConnectionSelect extends LitElement {
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [tokens, controls, popupList, styles];

  @property({ attribute: false }) connections: ConnectionDto[] = [];

  /** Provider id → display name. */
  @property({ attribute: false }) providerNames: Record<string, string> = {};

  /** The chosen connection id ('' for none yet). */
  @property() value = '';

  /** The visible label. */
  @property() label = '';

  @state() private expanded = false;
  @state() private active = -1;
  @state() private upwards = false;

  @query('[role=combobox]') private combobox!: HTMLElement;

  private typed = '';
  private typedAt = 0;

  private get chosen(): ConnectionDto | undefined {
    return this.connections.find((c) => c.id === this.value);
  }

  override render() {
    const chosen = this.chosen;
    const activeOption = this.expanded ? this.connections[this.active] : undefined;
    return html`<span id="label" class="label">${this.label}</span>
      <div class="control ${this.upwards ? 'upwards' : ''}">
        <div
          class="combobox input"
          part="combobox"
          role="combobox"
          tabindex="0"
          aria-labelledby="label"
          aria-haspopup="listbox"
          aria-controls="listbox"
          aria-expanded=${this.expanded ? 'true' : 'false'}
          aria-activedescendant=${activeOption ? `option-${activeOption.id}` : nothing}
          @click=${() => this.setExpanded(!this.expanded)}
          @keydown=${this.onKeydown}
          @blur=${this.onBlur}
        >
          <span class="value">${chosen ? this.renderConnection(chosen) : html`<span class="placeholder">${msg.chooseConnection}</span>`}</span>
          ${icons.sortDown}
        </div>
        <ul id="listbox" part="listbox" role="listbox" class="popup" aria-labelledby="label" tabindex="-1" ?hidden=${!this.expanded}>
          ${this.connections.map(
            (c, i) => html`<li
              id="option-${c.id}"
              part="option"
              role="option"
              class=${i === this.active ? 'active' : ''}
              aria-selected=${c.id === this.value ? 'true' : 'false'}
              @mousedown=${(e: Event) => e.preventDefault()}
              @click=${() => this.choose(i)}
            >
              ${this.renderConnection(c)}${c.id === this.value ? icons.tick : html`<span class="icon"></span>`}
            </li>`,
          )}
        </ul>
      </div>`;
  }

  private renderConnection(c: ConnectionDto): TemplateResult {
    return html`${providerLogo(c.provider, 22)}
      <span class="names"><span class="name">${c.name}</span><span class="provider">${this.providerNames[c.provider] ?? c.provider}</span></span>
      ${renderStatus(c.status)}`;
  }

  private setExpanded(expanded: boolean): void {
    if (expanded && !this.expanded) this.upwards = opensUpwards(this.combobox, POPUP_LIST_HEIGHT);
    this.expanded = expanded;
    if (expanded) {
      this.active = Math.max(0, this.connections.findIndex((c) => c.id === this.value));
      revealActiveOption(this);
    }
  }

  private choose(index: number): void {
    const connection = this.connections[index];
    this.expanded = false;
    this.combobox.focus();
    if (!connection || connection.id === this.value) return;
    this.value = connection.id;
    this.dispatchEvent(new Event('change', { bubbles: true }));
  }

  private move(to: number): void {
    const count = this.connections.length;
    if (count === 0) return;
    this.active = Math.min(count - 1, Math.max(0, to));
    revealActiveOption(this);
  }

  /** Keys of the APG select-only combobox: https://www.w3.org/WAI/ARIA/apg/patterns/combobox/examples/combobox-select-only/ */
  private onKeydown(event: KeyboardEvent): void {
    const { key } = event;
    if (!this.expanded) {
      if (['ArrowDown', 'ArrowUp', 'Enter', ' ', 'Home', 'End'].includes(key)) {
        event.preventDefault();
        this.setExpanded(true);
        if (key === 'Home') this.move(0);
        if (key === 'End') this.move(this.connections.length - 1);
      } else if (isPrintable(event)) {
        this.setExpanded(true);
        this.typeahead(key);
      }
      return;
    }
    switch (key) {
      case 'ArrowDown':
      case 'ArrowUp':
        event.preventDefault();
        this.move(this.active + (key === 'ArrowDown' ? 1 : -1));
        return;
      case 'Home':
      case 'End':
        event.preventDefault();
        this.move(key === 'Home' ? 0 : this.connections.length - 1);
        return;
      case 'Enter':
      case ' ':
        event.preventDefault();
        this.choose(this.active);
        return;
      case 'Tab':
        this.choose(this.active);
        return;
      case 'Escape':
        // Only the list closes: the popover or dialog around us stays open.
        event.preventDefault();
        event.stopPropagation();
        this.expanded = false;
        return;
      default:
        if (isPrintable(event)) this.typeahead(key);
    }
  }

  /** Moves to the next connection whose name starts with what was typed. */
  private typeahead(char: string): void {
    const now = Date.now();
    this.typed = now - this.typedAt < TYPEAHEAD_MS ? this.typed + char.toLowerCase() : char.toLowerCase();
    this.typedAt = now;
    const count = this.connections.length;
    const start = this.typed.length > 1 ? Math.max(0, this.active) : this.active + 1;
    for (let step = 0; step < count; step++) {
      const index = (start + step) % count;
      if (this.connections[index]!.name.toLowerCase().startsWith(this.typed)) {
        this.move(index);
        return;
      }
    }
  }

  private onBlur(): void {
    this.expanded = false;
  }
}

const isPrintable = (e: KeyboardEvent) => e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey;

function renderStatus(status: ConnectionStatus): TemplateResult {
  const [state, text] =
    status.state === 'connected'
      ? ['connected', msg.statusConnected]
      : status.state === 'failed'
        ? ['failed', msg.statusFailed]
        : status.state === 'undecryptable'
          ? ['failed', msg.statusUndecryptable]
          : ['unknown', msg.statusUnknown];
  return html`<span class="status ${state}"><span class="dot" aria-hidden="true"></span>${text}</span>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'sm-connection-select': SmConnectionSelect;
  }
}
