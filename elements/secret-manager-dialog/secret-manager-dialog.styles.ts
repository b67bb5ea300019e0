import { css } from 'lit';

export const styles = css`
  dialog {
    width: min(640px, calc(100vw - 32px));
    max-height: min(800px, calc(100dvh - 32px));
    padding: 0;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 1.5);
    background: var(--_bg);
    color: var(--_text);
    box-shadow: var(--_shadow);
  }
  dialog[open] {
    display: flex;
    flex-direction: column;
  }
  dialog::backdrop {
    background: rgb(12 14 20 / 0.5);
  }
  .header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    padding: 14px 14px 14px 24px;
    border-bottom: 1px solid var(--_border);
  }
  h2 {
    margin: 0;
    font-size: 1.15em;
    line-height: 1.3;
    overflow-wrap: anywhere;
  }
  form {
    display: flex;
    flex-direction: column;
    flex: 1;
    min-height: 0;
  }
  .body {
    display: grid;
    gap: 20px;
    padding: 20px 24px 24px;
    overflow-y: auto;
  }
  .body.center {
    place-items: center;
    min-height: 200px;
    color: var(--_muted);
  }
  .status {
    display: inline-flex;
    align-items: center;
    gap: 8px;
  }
  .lead {
    margin: 0;
    color: var(--_muted);
  }
  .footer {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 12px 24px;
    border-top: 1px solid var(--_border);
    background: var(--_surface);
    border-radius: 0 0 calc(var(--_radius) * 1.5) calc(var(--_radius) * 1.5);
  }
  .footnote {
    flex: 1;
    margin: 0;
    color: var(--_muted);
    font-size: 0.857em;
  }

  .providers {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(250px, 1fr));
    gap: 12px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .provider {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 4px 12px;
    width: 100%;
    height: 100%;
    padding: 14px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    text-align: start;
    cursor: pointer;
    transition: border-color 0.12s, background-color 0.12s;
  }
  .provider:hover {
    border-color: var(--_primary);
    background: var(--_surface);
  }
  .provider .logo {
    grid-row: span 2;
  }
  .provider strong {
    align-self: center;
  }
  .provider span {
    color: var(--_muted);
    font-size: 0.93em;
  }

  .provider-row {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 10px 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .provider-row strong {
    flex: 1;
  }
  .provider-row .button {
    min-height: 30px;
    padding: 0 10px;
  }
  a {
    color: var(--_primary);
    text-underline-offset: 2px;
  }
  .guide {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    font-size: 0.93em;
    white-space: nowrap;
  }

  fieldset {
    display: grid;
    gap: 14px;
    min-width: 0;
    margin: 0;
    padding: 0;
    border: 0;
  }
  legend {
    padding: 0;
    margin-bottom: 10px;
    font-weight: 650;
  }
  .legend-row {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: 12px;
  }
  .field {
    display: grid;
    gap: 6px;
    min-width: 0;
  }
  .label-row {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .optional {
    color: var(--_muted);
    font-size: 0.857em;
  }
  /* The show/hide toggle sits inside the field, so secret fields line up with the others. */
  .with-actions {
    position: relative;
  }
  .secret .input {
    padding-right: 40px;
  }
  .secret .icon-button {
    position: absolute;
    top: 2px;
    right: 2px;
  }
  .mono {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.93em;
  }
  textarea.input {
    resize: vertical;
    min-height: 88px;
  }
  .masked {
    -webkit-text-security: disc;
  }
  .file {
    justify-self: start;
    min-height: 28px;
    padding: 0 8px;
    font-weight: 500;
    color: var(--_muted);
  }
  .file:has(:focus-visible) {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .checkbox {
    grid-template-columns: auto 1fr;
    align-items: center;
    column-gap: 8px;
  }
  .checkbox input {
    width: 16px;
    height: 16px;
    margin: 0;
    accent-color: var(--_primary);
  }
  .checkbox .help,
  .checkbox .error {
    grid-column: 2;
  }

  .choices {
    display: grid;
    grid-template-columns: 1fr 1fr;
    gap: 10px;
  }
  .choice {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 2px 10px;
    padding: 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    cursor: pointer;
    font-weight: 400;
  }
  .choice:has(:checked) {
    border-color: var(--_primary);
    background: color-mix(in srgb, var(--_primary) 7%, var(--_bg));
  }
  .choice input {
    grid-row: span 2;
    margin: 3px 0 0;
    accent-color: var(--_primary);
  }
  .choice strong {
    font-weight: 600;
  }
  .choice span {
    color: var(--_muted);
    font-size: 0.857em;
  }

  .segmented {
    display: inline-flex;
    justify-self: start;
    padding: 3px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .segmented label {
    padding: 5px 14px;
    border-radius: calc(var(--_radius) - 3px);
    font-weight: 550;
    color: var(--_muted);
    cursor: pointer;
  }
  .segmented label:has(:checked) {
    background: var(--_bg);
    color: var(--_text);
    box-shadow: 0 1px 2px rgb(0 0 0 / 0.15);
  }
  .segmented label:has(:focus-visible) {
    outline: 2px solid var(--_focus);
    outline-offset: 1px;
  }

  details {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  summary {
    padding: 10px 12px;
    font-weight: 600;
    cursor: pointer;
  }
  details[open] summary {
    border-bottom: 1px solid var(--_border);
  }
  .advanced {
    display: grid;
    gap: 14px;
    padding: 14px 12px;
  }

  @media (max-width: 520px) {
    .choices {
      grid-template-columns: 1fr;
    }
    .footnote {
      display: none;
    }
  }
`;
