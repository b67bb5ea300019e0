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
  [role='listbox'] {
    position: absolute;
    top: 100%;
    right: 0;
    left: 0;
    z-index: 2;
    max-height: 264px;
    margin: 4px 0 0;
    padding: 4px;
    overflow-y: auto;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    box-shadow: var(--_shadow);
    list-style: none;
  }
  [role='listbox'].upwards {
    top: auto;
    bottom: 100%;
    margin: 0 0 4px;
  }
  [role='option'] {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 7px 8px;
    border-radius: 6px;
    cursor: pointer;
  }
  [role='option']:hover {
    background: var(--_hover);
  }
  [role='option'].active {
    background: var(--_hover);
    outline: 2px solid var(--_focus);
    outline-offset: -2px;
  }
  [role='option'] > .icon {
    color: var(--_primary);
  }
`;
