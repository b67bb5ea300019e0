import { css } from 'lit';

export const styles = css`
  dialog {
    width: min(440px, calc(100vw - 32px));
    padding: 24px;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 1.5);
    background: var(--_bg);
    color: var(--_text);
    box-shadow: var(--_shadow);
  }
  dialog::backdrop {
    background: rgb(12 14 20 / 0.5);
  }
  h2 {
    margin: 0 0 8px;
    font-size: 1.15em;
    line-height: 1.3;
    overflow-wrap: anywhere;
  }
  p {
    margin: 0;
    color: var(--_muted);
  }
  .notice {
    margin-top: 16px;
  }
  .notice p {
    color: var(--_text);
  }
  .actions {
    display: flex;
    justify-content: flex-end;
    gap: 8px;
    margin-top: 24px;
  }
`;
