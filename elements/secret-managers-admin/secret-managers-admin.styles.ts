import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    min-height: 100dvh;
    background: var(--sm-page-background, light-dark(#f3f4f7, #0f1115));
  }
  .topbar {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    padding: 10px 24px;
    border-bottom: 1px solid var(--_border);
    background: var(--_bg);
  }
  h1 {
    display: flex;
    align-items: center;
    gap: 10px;
    margin: 0;
    font-size: 1.07em;
  }
  .mark {
    display: grid;
    place-items: center;
    width: 28px;
    height: 28px;
    border-radius: 7px;
    background: var(--_primary);
    color: var(--_on-primary);
  }
  main {
    display: grid;
    grid-template-columns: minmax(0, 1fr) 320px;
    align-items: start;
    gap: 24px;
    max-width: 1440px;
    margin: 0 auto;
    padding: 24px;
  }
  .card {
    padding: 20px 24px;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 1.5);
    background: var(--_bg);
  }
  secret-manager-list {
    padding: 20px 24px;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 1.5);
  }
  .sign-in {
    grid-column: 1 / -1;
    justify-self: center;
    width: min(460px, 100%);
    margin-top: 8vh;
  }
  .sign-in h2 {
    margin: 0 0 6px;
    font-size: 1.29em;
  }
  .sign-in p {
    margin: 0 0 16px;
    color: var(--_muted);
  }
  .sign-in form {
    display: grid;
    gap: 8px;
  }
  .sign-in label {
    font-weight: 600;
  }
  .sign-in .button {
    margin-top: 8px;
  }
  .sign-in code {
    font-size: 0.857em;
    overflow-wrap: anywhere;
  }
  .sign-in .notice {
    margin-bottom: 16px;
  }
  .sign-in .error {
    margin: 0;
    color: var(--_danger);
    font-weight: 550;
  }
  @media (max-width: 960px) {
    main {
      grid-template-columns: minmax(0, 1fr);
      padding: 16px;
    }
  }
`;
