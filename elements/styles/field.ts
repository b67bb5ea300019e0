import { css } from 'lit';

/** A labelled field: a bold label, then help and error lines in small type, the error in the danger colour. */
export const fieldStyles = css`
  label {
    font-weight: 600;
  }
  .help,
  .error {
    margin: 0;
    color: var(--_muted);
    font-size: 0.857em;
  }
  .error {
    color: var(--_danger);
    font-weight: 550;
  }
`;
