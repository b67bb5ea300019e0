import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  h2 {
    margin: 0 0 4px;
    font-size: 1.15em;
  }
  .description {
    margin: 0 0 12px;
    color: var(--_muted);
  }
  form {
    display: flex;
    gap: 6px;
  }
  form .input {
    flex: 1;
    min-width: 0;
  }
  ul {
    margin: 12px 0 0;
    padding: 0;
    list-style: none;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  li {
    display: flex;
    align-items: center;
    gap: 4px;
    min-height: 44px;
    padding: 4px 4px 4px 12px;
  }
  li + li {
    border-top: 1px solid var(--_border);
  }
  li > span {
    flex: 1;
    overflow-wrap: anywhere;
  }
  li.editing {
    flex-wrap: wrap;
    padding: 6px;
  }
  li.editing .input {
    flex: 1;
    min-width: 0;
  }
  .error {
    flex-basis: 100%;
    margin: 4px 0 0;
    color: var(--_danger);
    font-size: 0.857em;
    font-weight: 550;
  }
  .note {
    margin: 12px 0 0;
    color: var(--_muted);
  }
  .icon-button.danger:hover {
    color: var(--_danger);
  }
`;
