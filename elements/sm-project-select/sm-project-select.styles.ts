import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  [role='listbox'] {
    max-height: 200px;
    margin: 4px 0 0;
    padding: 4px;
    overflow-y: auto;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    list-style: none;
  }
  .box {
    display: grid;
    place-items: center;
    width: 16px;
    height: 16px;
    border: 1.5px solid var(--_muted);
    border-radius: 4px;
  }
  [aria-selected='true'] .box {
    border-color: var(--_primary);
    background: var(--_primary);
    color: var(--_on-primary);
  }
  .box .icon {
    width: 12px;
    height: 12px;
    stroke-width: 3;
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin: 8px 0 0;
    padding: 0;
    list-style: none;
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 2px;
    padding: 2px 2px 2px 10px;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_surface);
  }
  .chip .icon-button {
    width: 22px;
    height: 22px;
    border-radius: 999px;
  }
  .chip .icon {
    width: 14px;
    height: 14px;
  }
  .note,
  .error {
    margin: 6px 0 0;
    color: var(--_muted);
  }
  .error {
    color: var(--_danger);
  }
`;
