import { html, nothing, type TemplateResult } from 'lit';
import type { FieldDescription } from '../../shared/fields.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';

export interface FieldState {
  value: string | boolean | undefined;
  error: string | undefined;
  /** A secret the server keeps: the field may stay empty. */
  stored: boolean;
  /** A stored secret this edit must carry again (it changes where credentials go): the note says why. */
  reenter: boolean;
  revealed: boolean;
}

export interface FieldHandlers {
  input(name: string, value: string | boolean): void;
  toggleReveal(name: string): void;
}

const describedBy = (field: FieldDescription, state: FieldState, noted: boolean) =>
  [field.help || noted ? `h-${field.name}` : '', state.error ? `e-${field.name}` : ''].filter(Boolean).join(' ') || nothing;

/** The provider's notes on this setting; named after the field, since every one reads "Setup notes". */
const docsLink = (field: FieldDescription, href: string) =>
  html`<a href=${href} target="_blank" rel="noopener noreferrer" aria-label="${msg.fieldDocsLabel(field.label)} ${msg.opensInNewTab}">${msg.fieldDocs}</a>`;

function helpAndError(field: FieldDescription, state: FieldState): TemplateResult {
  const note = state.stored ? msg.secretStoredHelp : state.reenter ? msg.secretReenterHelp : '';
  const help = [note, field.help ?? ''].filter(Boolean).join(' ');
  // Only the text describes the control: the link has a name of its own.
  return html`${help || field.docsUrl
    ? html`<p class="help">${help ? html`<span id="h-${field.name}">${help}</span> ` : nothing}${field.docsUrl ? docsLink(field, field.docsUrl) : nothing}</p>`
    : nothing}
  ${state.error ? html`<p id="e-${field.name}" class="error">${state.error}</p>` : nothing}`;
}

function label(field: FieldDescription, state: FieldState): TemplateResult {
  return html`<div class="label-row">
    <label for="f-${field.name}">${field.label}</label>
    ${field.required || state.stored ? nothing : html`<span class="optional">${msg.optional}</span>`}
    ${state.stored && !state.value ? html`<span class="badge">${msg.secretStored}</span>` : nothing}
  </div>`;
}

function textValue(state: FieldState): string {
  return typeof state.value === 'string' ? state.value : '';
}

function readFileInto(field: FieldDescription, on: FieldHandlers) {
  return async (event: Event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file) on.input(field.name, await file.text());
    input.value = '';
  };
}

function control(field: FieldDescription, state: FieldState, on: FieldHandlers): TemplateResult {
  const id = `f-${field.name}`;
  const common = {
    describedBy: describedBy(field, state, state.stored || state.reenter),
    invalid: state.error ? 'true' : nothing,
    required: field.required && !state.stored,
  };
  const onText = (event: Event) => on.input(field.name, (event.target as HTMLInputElement).value);
  const revealButton = html`<button
    type="button"
    class="icon-button"
    aria-label=${msg.show(field.label)}
    aria-pressed=${state.revealed ? 'true' : 'false'}
    @click=${() => on.toggleReveal(field.name)}
  >
    ${icons.eye}
  </button>`;

  switch (field.kind) {
    case 'select':
      return html`<select class="input" id=${id} aria-describedby=${common.describedBy} aria-invalid=${common.invalid} ?required=${common.required} @change=${onText}>
        ${field.required ? nothing : html`<option value="" ?selected=${!state.value}>${msg.selectDefault}</option>`}
        ${(field.options ?? []).map((o) => html`<option value=${String(o.value)} ?selected=${String(o.value) === state.value}>${o.label}</option>`)}
      </select>`;
    case 'textarea':
      return html`<div class="with-actions ${field.secret ? 'secret' : ''}">
          <textarea
            class="input mono ${field.secret && !state.revealed ? 'masked' : ''}"
            id=${id}
            rows="4"
            spellcheck="false"
            autocomplete="off"
            placeholder=${state.stored ? msg.secretStored : (field.placeholder ?? '')}
            aria-describedby=${common.describedBy}
            aria-invalid=${common.invalid}
            ?required=${common.required}
            .value=${textValue(state)}
            @input=${onText}
          ></textarea>
          ${field.secret ? revealButton : nothing}
        </div>
        <label class="button quiet file">
          ${icons.upload}<span aria-hidden="true">${msg.loadFile}</span>
          <input type="file" class="visually-hidden" aria-label=${msg.loadFileLabel(field.label)} @change=${readFileInto(field, on)} />
        </label>`;
    default: {
      const secret = field.secret;
      return html`<div class="with-actions ${secret ? 'secret' : ''}">
        <input
          class="input ${secret ? 'mono' : ''}"
          id=${id}
          type=${secret && !state.revealed ? 'password' : 'text'}
          inputmode=${field.kind === 'number' ? 'decimal' : nothing}
          autocomplete="off"
          spellcheck="false"
          placeholder=${state.stored ? msg.secretStored : (field.placeholder ?? '')}
          aria-describedby=${common.describedBy}
          aria-invalid=${common.invalid}
          ?required=${common.required}
          .value=${textValue(state)}
          @input=${onText}
        />
        ${secret ? revealButton : nothing}
      </div>`;
    }
  }
}

/** One provider field, generated from its `providers.list` metadata. */
export function renderField(field: FieldDescription, state: FieldState, on: FieldHandlers): TemplateResult {
  if (field.kind === 'boolean') {
    return html`<div class="field checkbox" part="field">
      <input
        type="checkbox"
        id="f-${field.name}"
        aria-describedby=${describedBy(field, state, false)}
        .checked=${state.value === true}
        @change=${(e: Event) => on.input(field.name, (e.target as HTMLInputElement).checked)}
      />
      <label for="f-${field.name}">${field.label}</label>
      ${helpAndError(field, state)}
    </div>`;
  }
  return html`<div class="field" part="field">${label(field, state)}${control(field, state, on)}${helpAndError(field, state)}</div>`;
}
