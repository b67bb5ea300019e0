import { css } from 'lit';

export const styles = css`
  :host {
    display: inline-flex;
    align-items: center;
    max-width: 100%;
    vertical-align: middle;
  }
  :host(:state(empty)) {
    display: none;
  }
  .mono,
  code {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.93em;
  }

  .key {
    position: relative;
    width: 36px;
    height: 36px;
    border-color: var(--_border);
    border-radius: var(--_radius);
  }
  .key[aria-expanded='true'] {
    border-color: var(--_primary);
    color: var(--_primary);
  }
  .key:disabled,
  .chip button:disabled {
    cursor: not-allowed;
    opacity: 0.5;
  }
  /* A dot on the key says something needs attention (the session expired, the server is unreachable). */
  .troubled::after {
    content: '';
    position: absolute;
    top: 5px;
    right: 5px;
    width: 8px;
    height: 8px;
    border: 2px solid var(--_bg);
    border-radius: 50%;
    background: var(--_danger);
  }

  .chip {
    display: inline-flex;
    align-items: center;
    max-width: 100%;
    min-height: 36px;
    padding: 2px;
    border: 1px solid color-mix(in srgb, var(--_primary) 40%, var(--_border));
    border-radius: var(--_radius);
    background: color-mix(in srgb, var(--_primary) 7%, var(--_bg));
  }
  .chip.missing {
    border-style: dashed;
    border-color: var(--_danger);
    background: color-mix(in srgb, var(--_danger) 6%, var(--_bg));
  }
  .chip-main {
    display: inline-flex;
    flex: 1;
    align-items: center;
    gap: 6px;
    min-width: 0;
    min-height: 30px;
    padding: 0 8px;
    border: 0;
    border-radius: calc(var(--_radius) - 2px);
    background: none;
    cursor: pointer;
  }
  .chip-main:hover {
    background: color-mix(in srgb, var(--_primary) 10%, transparent);
  }
  .chip-main > .icon {
    color: var(--_primary);
  }
  .missing .chip-main > .icon {
    color: var(--_danger);
  }
  .chip-name {
    font-weight: 600;
    white-space: nowrap;
  }
  .separator {
    color: var(--_muted);
  }
  .chip-path {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .chip .clear {
    width: 30px;
    height: 30px;
  }

  [popover] {
    position: fixed;
    inset: auto;
    box-sizing: border-box;
    width: min(440px, calc(100vw - 16px));
    max-height: calc(100dvh - 16px);
    margin: 0;
    padding: 0;
    /* Long provider messages must not push the buttons off screen: the panel scrolls instead. */
    overflow-y: auto;
    overscroll-behavior: contain;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 1.5);
    background: var(--_bg);
    color: var(--_text);
    box-shadow: var(--_shadow);
  }
  .header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    padding: 10px 10px 0 18px;
  }
  h2 {
    margin: 0;
    font-size: 1.07em;
    line-height: 1.3;
  }
  form,
  .empty,
  [popover] > .notice,
  [popover] > .loading {
    margin: 8px 18px 18px;
  }
  form {
    display: grid;
    gap: 14px;
  }
  .lead {
    margin: 0;
    color: var(--_muted);
    font-size: 0.93em;
  }
  .warning {
    display: flex;
    gap: 8px;
    margin: 0;
    padding: 8px 10px;
    border-radius: var(--_radius);
    background: color-mix(in srgb, var(--_danger) 8%, var(--_bg));
  }
  .warning .icon {
    margin-top: 2px;
    color: var(--_danger);
  }
  .loading {
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 0;
    color: var(--_muted);
  }
  .hint {
    margin: -6px 0 0;
    color: var(--_muted);
    font-size: 0.857em;
  }
  .empty strong {
    display: block;
    margin-bottom: 4px;
  }
  .empty p {
    margin: 0;
    color: var(--_muted);
  }
  .keys {
    grid-column: 2;
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    min-width: 0;
    max-height: 156px;
    margin: 8px 0 0;
    padding: 0;
    overflow-y: auto;
    border: 0;
  }
  .keys legend {
    margin-bottom: 6px;
    padding: 0;
    color: var(--_muted);
    font-size: 0.857em;
  }
  .key-choice {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    padding: 3px 10px 3px 8px;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_bg);
    cursor: pointer;
  }
  .key-choice:has(:checked) {
    border-color: var(--_primary);
    background: color-mix(in srgb, var(--_primary) 9%, var(--_bg));
  }
  .key-choice:has(:focus-visible) {
    outline: 2px solid var(--_focus);
    outline-offset: 1px;
  }
  .key-choice input {
    margin: 0;
    accent-color: var(--_primary);
  }
  .actions {
    display: flex;
    justify-content: flex-end;
    gap: 8px;
  }
`;
