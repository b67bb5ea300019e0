import { html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { hasBrokenReference, parseReference } from '../../shared/reference.ts';
import { SmElement } from '../base/sm-element.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import '../secret-key-picker/secret-key-picker.ts';
import type { SecretKeyPicker } from '../secret-key-picker/secret-key-picker.ts';
import { controls } from '../styles/controls.ts';
import { fieldStyles } from '../styles/field.ts';
import { tokens } from '../styles/tokens.ts';
import { styles } from './secret-reference-field.styles.ts';

/**
 * @summary A labelled credential input with the key picker beside it: it holds either a
 * typed value or a reference to a secret. A form control of its own (form-associated), so
 * a plain `<form>` submits its value under its `name`, with `required`, validity messages,
 * reset and disabled fieldsets handled as for native inputs.
 *
 * @event input - The typed value changed (from the inner input, composed).
 * @event change - The value was committed: typed and left, a reference chosen, or the reference cleared.
 * @event sm-reference-change - `{ reference, connectionId, path }` from the picker inside; all empty when cleared.
 * @event sm-auth-expired - The picker's token was refused; it asks `getToken()` again right after.
 * @event sm-unauthorized - The token was refused again: the picker shows the expired state.
 *
 * @csspart label - The label.
 * @csspart input - The text or password input.
 * @csspart picker - The key picker (its own parts: `button`, `chip`, `popover`).
 * @csspart help - The help text.
 * @csspart error - The validation message.
 *
 * @cssproperty --sm-color-danger - The validation message and the invalid input's border.
 * @cssproperty --sm-color-primary - Focus ring and the chip.
 */
@customElement('secret-reference-field')
export class SecretReferenceField extends SmElement {
  static formAssociated = true;
  static override shadowRootOptions = { ...SmElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [tokens, controls, fieldStyles, styles];

  @property() label = '';

  /** A typed value or a reference. The `value` attribute is the default, restored by a form reset. */
  @property() value = '';

  @property({ reflect: true }) name?: string;

  /** `password` (the default: credentials are masked, with a button to show them) or `text`. */
  @property() type: 'password' | 'text' = 'password';

  @property() placeholder = '';

  /** A line of help under the field. */
  @property() help = '';

  @property({ type: Boolean, reflect: true }) required = false;

  @property({ type: Boolean, reflect: true }) disabled = false;

  /** Show the key icon even when no connection is usable here. */
  @property({ type: Boolean, attribute: 'show-when-empty' }) showWhenEmpty = false;

  @state() private revealed = false;
  /** Validation messages show once a value was committed or a submit was tried, not while people start typing or tab past. */
  @state() private touched = false;
  /** Disabled by an ancestor `<fieldset disabled>` (or our own attribute), as the form tells us. */
  @state() private disabledByForm = false;

  @query('input') private input?: HTMLInputElement;
  @query('secret-key-picker') private picker?: SecretKeyPicker;

  private readonly internals = this.attachInternals();

  constructor() {
    super();
    this.addEventListener('invalid', () => (this.touched = true));
  }

  get form(): HTMLFormElement | null {
    return this.internals.form;
  }
  get validity(): ValidityState {
    return this.internals.validity;
  }
  get validationMessage(): string {
    return this.internals.validationMessage;
  }
  get willValidate(): boolean {
    return this.internals.willValidate;
  }
  checkValidity(): boolean {
    return this.internals.checkValidity();
  }
  reportValidity(): boolean {
    return this.internals.reportValidity();
  }

  formResetCallback(): void {
    this.value = this.getAttribute('value') ?? '';
    this.touched = false;
    this.revealed = false;
  }

  formStateRestoreCallback(state: string | File | FormData | null): void {
    if (typeof state === 'string') this.value = state;
  }

  formDisabledCallback(disabled: boolean): void {
    this.disabledByForm = disabled;
  }

  private get isReference(): boolean {
    return parseReference(this.value) !== undefined;
  }

  private get error(): string {
    if (this.required && this.value.trim() === '') return this.label ? msg.required(this.label) : msg.valueRequired;
    return hasBrokenReference(this.value) ? msg.brokenReference : '';
  }

  override updated(): void {
    this.internals.setFormValue(this.value);
    const error = this.error;
    const flags = !error ? {} : this.value.trim() === '' ? { valueMissing: true } : { customError: true };
    // The anchor is where the browser points its own bubble (reportValidity, a blocked submit).
    this.internals.setValidity(flags, error, this.input ?? this.picker ?? undefined);
  }

  override render() {
    const disabled = this.disabled || this.disabledByForm;
    const reference = this.isReference;
    const error = this.touched ? this.error : '';
    const describedBy = [this.help ? 'help' : '', error ? 'error' : ''].filter(Boolean).join(' ') || nothing;
    return html`<label for="input" part="label">${this.label}${this.required ? html`<span class="required" aria-hidden="true">*</span>` : nothing}</label>
      <div class="row">
        ${reference
          ? nothing
          : html`<div class="input-wrap ${this.type === 'password' ? 'secret' : ''}">
              <input
                id="input"
                part="input"
                class="input"
                type=${this.type === 'password' && !this.revealed ? 'password' : 'text'}
                autocomplete="off"
                spellcheck="false"
                placeholder=${this.placeholder}
                aria-required=${this.required ? 'true' : nothing}
                aria-invalid=${error ? 'true' : nothing}
                aria-describedby=${describedBy}
                ?disabled=${disabled}
                .value=${live(this.value)}
                @input=${this.onInput}
                @change=${this.onCommit}
              />
              ${this.type === 'password'
                ? html`<button
                    type="button"
                    class="icon-button reveal"
                    aria-label=${this.label ? msg.show(this.label) : msg.showValue}
                    aria-pressed=${this.revealed ? 'true' : 'false'}
                    ?disabled=${disabled}
                    @click=${() => (this.revealed = !this.revealed)}
                  >
                    ${icons.eye}
                  </button>`
                : nothing}
            </div>`}
        <secret-key-picker
          part="picker"
          class=${reference ? 'wide' : ''}
          label=${this.label}
          theme=${this.theme ?? nothing}
          .apiUrl=${this.apiUrl}
          .token=${this.token}
          .client=${this.client}
          .projectId=${this.projectId}
          .value=${reference ? this.value : ''}
          .showWhenEmpty=${this.showWhenEmpty}
          ?disabled=${disabled}
          @change=${this.onPickerChange}
        ></secret-key-picker>
      </div>
      ${this.help ? html`<p id="help" class="help" part="help">${this.help}</p>` : nothing}
      ${error ? html`<p id="error" class="error" part="error">${error}</p>` : nothing}`;
  }

  private onInput(event: Event): void {
    this.value = (event.target as HTMLInputElement).value;
  }

  /**
   * The inner input's `change` does not leave our shadow root (it is not composed): ours
   * does. A change fired as the input is replaced by the chip commits nothing current.
   */
  private onCommit(event: Event): void {
    if ((event.target as HTMLInputElement).value !== this.value) return;
    this.touched = true;
    this.dispatchEvent(new Event('change', { bubbles: true }));
  }

  private async onPickerChange(event: Event): Promise<void> {
    const { value } = event.target as SecretKeyPicker;
    this.value = value;
    this.touched = true;
    this.revealed = false;
    this.dispatchEvent(new Event('change', { bubbles: true }));
    if (value) return;
    // Back to typing: the input is back, and is where the person continues.
    await this.updateComplete;
    this.input?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'secret-reference-field': SecretReferenceField;
  }
}
