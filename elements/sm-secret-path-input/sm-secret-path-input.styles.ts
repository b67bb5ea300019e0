import { css } from 'lit';

export const styles = css`
  :host {
    display: grid;
    gap: 6px;
  }
  .combo {
    position: relative;
  }
  .mono,
  code {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.93em;
  }
  code {
    overflow-wrap: anywhere;
    color: var(--_text);
  }
  .loading {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 6px 8px;
  }
  .loading[role='option'] {
    cursor: default;
  }
  [role='option'] > .icon {
    color: var(--_muted);
  }
  .name {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.93em;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .folder {
    color: var(--_muted);
  }
  .name strong {
    font-weight: 600;
  }
  .kind {
    color: var(--_muted);
    font-size: 0.857em;
  }
  .more {
    justify-content: center;
    color: var(--_primary);
    font-weight: 550;
  }
  .loading {
    color: var(--_muted);
  }
  .note {
    margin: 0;
    color: var(--_muted);
    font-size: 0.857em;
    display: flex;
    align-items: flex-start;
    gap: 6px;
  }
  .note .icon {
    width: 14px;
    height: 14px;
    margin-top: 2px;
  }
`;
