import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { revealActiveOption, stepActive } from '../base/active-option.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import { controls } from '../styles/controls.ts';
import { tokens } from '../styles/tokens.ts';
import { options } from '../styles/listbox.ts';
import { styles } from './sm-project-select.styles.ts';

export interface ProjectOption {
  id: string;
  name: string;
}

/**
 * @summary A searchable multi-select of projects (ARIA combobox with a multi-select listbox),
 * a form control of its own: its value is the chosen project ids.
 *
 * @event change - The selection changed; read `value`.
 *
 * @csspart chips - The list of chosen projects.
 * @csspart listbox - The list of matching projects.
 *
 * @cssproperty --sm-color-primary - Ticked boxes and the outline of the active option.
 */
@customElement('sm-project-select')
export class SmProjectSelect extends LitElement {
  static formAssociated = true;
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [tokens, controls, options, styles];

  /** Every project one may choose from. */
  @property({ attribute: false }) projects: ProjectOption[] = [];

  /** The chosen project ids. */
  @property({ attribute: false }) value: string[] = [];

  /** Accessible name of the search box and the list. */
  @property() label = '';

  @property({ type: Boolean }) required = false;

  /** A message shown under the control, which also marks it invalid. */
  @property() error = '';

  @state() private query = '';
  @state() private expanded = false;
  @state() private active = -1;

  private readonly internals = this.attachInternals();

  private get matching(): ProjectOption[] {
    const q = this.query.trim().toLowerCase();
    return q ? this.projects.filter((p) => p.name.toLowerCase().includes(q)) : this.projects;
  }

  override willUpdate(): void {
    const data = new FormData();
    for (const id of this.value) data.append(this.getAttribute('name') ?? 'projectIds', id);
    this.internals.setFormValue(data);
    const missing = this.required && this.value.length === 0;
    this.internals.setValidity(missing ? { valueMissing: true } : {}, missing ? msg.projectsRequired : '');
  }

  formResetCallback(): void {
    this.value = [];
  }

  override render() {
    const matches = this.matching;
    const chosen = this.projects.filter((p) => this.value.includes(p.id));
    const activeOption = matches[this.active];
    const showList = this.expanded && matches.length > 0;
    return html`
      <div class="search">
        ${icons.search}
        <input
          class="input"
          role="combobox"
          aria-label=${this.label}
          aria-autocomplete="list"
          aria-controls="listbox"
          aria-expanded=${showList ? 'true' : 'false'}
          aria-activedescendant=${activeOption ? `option-${activeOption.id}` : nothing}
          aria-invalid=${this.error ? 'true' : nothing}
          aria-describedby=${this.error ? 'error' : nothing}
          placeholder=${msg.searchProjects}
          autocomplete="off"
          .value=${this.query}
          @input=${this.onInput}
          @keydown=${this.onKeydown}
          @click=${() => (this.expanded = true)}
          @blur=${() => (this.expanded = false)}
        />
      </div>
      <ul id="listbox" part="listbox" role="listbox" aria-label=${this.label} aria-multiselectable="true" ?hidden=${!showList}>
        ${matches.map(
          (p, i) => html`<li
            id="option-${p.id}"
            role="option"
            class=${i === this.active ? 'active' : ''}
            aria-selected=${this.value.includes(p.id) ? 'true' : 'false'}
            @mousedown=${(e: Event) => e.preventDefault()}
            @click=${() => this.toggle(p.id)}
          >
            <span class="box">${this.value.includes(p.id) ? icons.tick : nothing}</span>${p.name}
          </li>`,
        )}
      </ul>
      ${this.expanded && matches.length === 0
        ? html`<p class="note">${this.projects.length === 0 ? msg.noProjects : `${msg.noProjectMatches} “${this.query}”`}</p>`
        : nothing}
      ${chosen.length > 0
        ? html`<ul class="chips" part="chips" aria-label=${msg.selectedCount(chosen.length)}>
            ${chosen.map(
              (p) => html`<li class="chip">
                ${p.name}
                <button type="button" class="icon-button" aria-label=${msg.removeProject(p.name)} @click=${() => this.removeChip(p.id)}>
                  ${icons.close}
                </button>
              </li>`,
            )}
          </ul>`
        : nothing}
      ${this.error ? html`<p id="error" class="error">${this.error}</p>` : nothing}
    `;
  }

  private onInput(event: InputEvent): void {
    this.query = (event.target as HTMLInputElement).value;
    this.expanded = true;
    this.active = this.matching.length > 0 ? 0 : -1;
  }

  private onKeydown(event: KeyboardEvent): void {
    const count = this.matching.length;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        this.expanded = true;
        this.active = stepActive(this.active, event.key === 'ArrowDown' ? 1 : -1, count);
        revealActiveOption(this);
        return;
      }
      case 'Enter': {
        const option = this.matching[this.active];
        // Enter picks the active option; it must not submit the surrounding form.
        if (this.expanded && option) {
          event.preventDefault();
          this.toggle(option.id);
        }
        return;
      }
      case 'Escape':
        // The first Escape closes the list; only the next one may close a dialog around us.
        if (this.expanded && count > 0) {
          event.preventDefault();
          event.stopPropagation();
          this.expanded = false;
        }
        return;
      case 'Backspace':
        if (this.query === '' && this.value.length > 0) this.toggle(this.value[this.value.length - 1]!);
        return;
    }
  }

  /** The chip's button disappears with the chip: focus goes back to the search box. */
  private removeChip(id: string): void {
    this.toggle(id);
    this.renderRoot.querySelector('input')?.focus();
  }

  private toggle(id: string): void {
    this.value = this.value.includes(id) ? this.value.filter((v) => v !== id) : [...this.value, id];
    this.dispatchEvent(new Event('change', { bubbles: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sm-project-select': SmProjectSelect;
  }
}
