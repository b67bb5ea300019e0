import { css } from 'lit';

export const styles = css`
  :host {
    display: grid;
    gap: 6px;
  }
  .control {
    position: relative;
  }
  .label {
    font-weight: 600;
  }
  .combobox {
    display: flex;
    align-items: center;
    gap: 10px;
    min-height: 44px;
    padding-block: 6px;
    cursor: pointer;
    user-select: none;
  }
  .combobox > .icon {
    color: var(--_muted);
  }
  .value {
    display: flex;
    flex: 1;
    align-items: center;
    gap: 10px;
    min-width: 0;
  }
  .placeholder {
    color: var(--_muted);
  }
  .names {
    display: grid;
    flex: 1;
    min-width: 0;
    line-height: 1.25;
  }
  .name {
    overflow: hidden;
    font-weight: 600;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .provider {
    color: var(--_muted);
    font-size: 0.857em;
  }
  .status {
    display: inline-flex;
    align-items: center;
    gap: 5px;
    color: var(--_muted);
    font-size: 0.857em;
    white-space: nowrap;
  }
  .dot {
    width: 7px;
    height: 7px;
    border-radius: 50%;
    background: currentColor;
  }
  .connected .dot {
    background: var(--_success);
  }
  .failed {
    color: var(--_danger);
  }
  [role='option'] > .icon {
    color: var(--_primary);
  }
`;
