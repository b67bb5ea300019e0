import { html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { SmElement } from '../base/sm-element.ts';
import { clientFor } from '../client.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import { toProblem } from '../problems.ts';
import '../secret-manager-list/secret-manager-list.ts';
import type { SecretManagerList } from '../secret-manager-list/secret-manager-list.ts';
import '../sm-project-manager/sm-project-manager.ts';
import { controls } from '../styles/controls.ts';
import { tokens } from '../styles/tokens.ts';
import { styles } from './secret-managers-admin.styles.ts';
import { forgetToken, saveToken, savedToken, takeTokenFromFragment } from './session.ts';

/**
 * @summary The standalone admin page the server serves at `/`: sign in with an admin API
 * key (or the demo link's fragment), then manage the platform's projects and connections.
 *
 * @csspart topbar - The bar with the product name and "Sign out".
 *
 * @cssproperty --sm-page-background - Background behind the panels.
 */
@customElement('secret-managers-admin')
export class SecretManagersAdmin extends SmElement {
  static override styles = [tokens, controls, styles];

  @state() private signingIn = false;
  @state() private signInError = '';
  @state() private notice = '';

  @query('secret-manager-list') private list!: SecretManagerList;

  override connectedCallback(): void {
    super.connectedCallback();
    takeTokenFromFragment();
    // A stored token is used as is; the first refused call (401) brings the sign-in back.
    this.token = savedToken();
  }

  override render() {
    return html`<header class="topbar" part="topbar">
        <h1><span class="mark">${icons.key}</span>${msg.appTitle}</h1>
        ${this.token ? html`<button type="button" class="button quiet" @click=${() => this.signOut('')}>${icons.signOut}${msg.signOut}</button>` : nothing}
      </header>
      <main @sm-unauthorized=${() => this.signOut(msg.sessionExpired)}>
        ${this.token
          ? html`<secret-manager-list .client=${this.api} theme=${this.theme ?? nothing}></secret-manager-list>
              <sm-project-manager class="card" .client=${this.api} theme=${this.theme ?? nothing} @sm-projects-changed=${() => this.list.refresh()}></sm-project-manager>`
          : this.renderSignIn()}
      </main>`;
  }

  private renderSignIn() {
    return html`<section class="card sign-in" aria-labelledby="sign-in-title">
      ${this.notice ? html`<p class="notice" role="alert">${this.notice}</p>` : nothing}
      <h2 id="sign-in-title">${msg.signInTitle}</h2>
      <p>${msg.signInBody}</p>
      <form @submit=${this.signIn}>
        <label for="key">${msg.apiKeyLabel}</label>
        <input
          id="key"
          class="input"
          type="password"
          autocomplete="off"
          spellcheck="false"
          required
          aria-invalid=${this.signInError ? 'true' : nothing}
          aria-describedby="how${this.signInError ? ' key-error' : ''}"
        />
        ${this.signInError ? html`<p id="key-error" class="error">${this.signInError}</p>` : nothing}
        <p id="how"><code>${msg.signInHowTo}</code></p>
        <button class="button primary" aria-disabled=${this.signingIn ? 'true' : 'false'}>
          ${this.signingIn ? html`<span class="spinner" aria-hidden="true"></span>${msg.signingIn}` : msg.signIn}
        </button>
      </form>
    </section>`;
  }

  /** Checks the key with an admin-only call before keeping it. */
  private async signIn(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#key')!;
    const key = input.value.trim();
    if (this.signingIn) return;
    if (!key) {
      this.signInError = msg.required(msg.apiKeyLabel);
      input.focus();
      return;
    }
    this.signingIn = true;
    this.signInError = '';
    try {
      await clientFor(this.apiUrl, key).projects.list.query();
      saveToken(key);
      this.notice = '';
      this.token = key;
    } catch (e) {
      const problem = toProblem(e, this.apiUrl || location.origin);
      this.signInError =
        problem.kind === 'forbidden' ? msg.keyNotAdmin : problem.kind === 'unreachable' ? `${problem.title}. ${problem.hint}` : (problem.message ?? problem.title);
      input.focus();
    } finally {
      this.signingIn = false;
    }
  }

  private async signOut(notice: string): Promise<void> {
    forgetToken();
    this.token = undefined;
    this.notice = notice;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#key')?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'secret-managers-admin': SecretManagersAdmin;
  }
}
