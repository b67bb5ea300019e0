import { css } from 'lit';

export const styles = css`
  :host {
    display: grid;
    gap: 6px;
  }
  .required {
    margin-left: 2px;
    color: var(--_danger);
  }
  .row {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .input-wrap {
    position: relative;
    flex: 1;
    min-width: 0;
  }
  .secret .input {
    padding-right: 40px;
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.93em;
  }
  .input:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  .reveal {
    position: absolute;
    top: 2px;
    right: 2px;
  }
  /* With a reference, the chip takes the input's place and width. */
  .wide {
    flex: 1;
    min-width: 0;
  }
  .wide::part(chip) {
    width: 100%;
  }
`;
