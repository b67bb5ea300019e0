import { css } from 'lit';

/** Buttons, inputs, badges and notices, shared by every element. */
export const controls = css`
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  [hidden] {
    display: none !important;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .icon {
    width: 16px;
    height: 16px;
    flex: none;
  }

  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 6px;
    min-height: 36px;
    padding: 0 14px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    font-weight: 550;
    white-space: nowrap;
    cursor: pointer;
    transition: background-color 0.12s, border-color 0.12s;
  }
  .button:hover {
    background: var(--_hover);
  }
  .button.primary {
    border-color: var(--_primary);
    background: var(--_primary);
    color: var(--_on-primary);
  }
  .button.primary:hover {
    background: color-mix(in srgb, var(--_primary) 86%, var(--_text));
  }
  .button.danger {
    border-color: var(--_danger);
    background: var(--_danger);
    color: var(--_on-danger);
  }
  .button.danger:hover {
    background: color-mix(in srgb, var(--_danger) 86%, var(--_text));
  }
  .button.quiet {
    border-color: transparent;
    background: transparent;
  }
  .button.quiet:hover {
    background: var(--_hover);
  }
  .button[aria-disabled='true'] {
    cursor: progress;
    opacity: 0.75;
  }
  .icon-button {
    display: inline-grid;
    place-items: center;
    width: 32px;
    height: 32px;
    padding: 0;
    border: 1px solid transparent;
    border-radius: 6px;
    background: transparent;
    color: var(--_muted);
    cursor: pointer;
  }
  .icon-button:hover {
    background: var(--_hover);
    color: var(--_text);
  }
  .icon-button[aria-disabled='true'] {
    cursor: progress;
  }

  .input {
    display: block;
    width: 100%;
    min-height: 36px;
    padding: 7px 10px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  .input::placeholder {
    color: var(--_muted);
  }
  .input:focus-visible {
    outline-offset: -1px;
    border-color: var(--_focus);
  }
  .input[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  select.input {
    padding-right: 28px;
  }
  /* A search input with its magnifier inside. */
  .search {
    position: relative;
  }
  .search .icon {
    position: absolute;
    top: 50%;
    left: 10px;
    translate: 0 -50%;
    color: var(--_muted);
    pointer-events: none;
  }
  .search .input {
    padding-left: 32px;
  }

  .spinner {
    display: inline-block;
    width: 14px;
    height: 14px;
    flex: none;
    border: 2px solid currentColor;
    border-right-color: transparent;
    border-radius: 50%;
    animation: sm-spin 0.7s linear infinite;
  }
  @keyframes sm-spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation-duration: 2.4s;
    }
  }

  .badge {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 1px 8px;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_surface);
    font-size: 0.857em;
    font-weight: 550;
    white-space: nowrap;
  }

  .notice {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 2px 10px;
    padding: 12px 14px;
    border: 1px solid color-mix(in srgb, var(--_danger) 45%, transparent);
    border-radius: var(--_radius);
    background: color-mix(in srgb, var(--_danger) 7%, var(--_bg));
  }
  .notice > .icon {
    grid-row: span 4;
    margin-top: 2px;
    color: var(--_danger);
  }
  .notice.success {
    border-color: color-mix(in srgb, var(--_success) 45%, transparent);
    background: color-mix(in srgb, var(--_success) 7%, var(--_bg));
  }
  .notice.success > .icon {
    color: var(--_success);
  }
  .notice p {
    margin: 0;
  }
  .notice .hint {
    color: var(--_muted);
  }
  .notice code {
    font-size: 0.857em;
    color: var(--_muted);
  }
  .notice .button {
    justify-self: start;
    margin-top: 8px;
  }
`;
