import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { clientFor, type SecretManagersClient } from '../client.ts';
import { emit } from '../events.ts';
import { toProblem, type Problem } from '../problems.ts';
import { onSettingsChange } from './changes.ts';
import { withTokenRetry } from './token-retry.ts';

/** What every element shares: how it reaches the server, the project context and the theme. */
export class SmElement extends LitElement {
  /** Base URL of the Secret Managers server. Default: `configure({ url })`, else this page's origin. */
  @property({ attribute: 'api-url' }) apiUrl?: string;

  /** An API key or embed JWT. Prefer the `client` property or `configure({ getToken })` for tokens that expire. */
  @property() token?: string;

  /** A ready client (from `createClient()`); wins over `api-url` and `token`. */
  @property({ attribute: false }) client?: SecretManagersClient;

  /** A project context: show and create what this project may use. */
  @property({ attribute: 'project-id' }) projectId?: string;

  /** `light` or `dark`; without it the element follows `prefers-color-scheme`. */
  @property({ reflect: true }) theme?: 'light' | 'dark';

  private unsubscribe: (() => void) | undefined;

  protected get api(): SecretManagersClient {
    return this.client ?? clientFor(this.apiUrl, this.token);
  }

  /** Runs a server call; a refused token is reported (`sm-auth-expired`) and the call made once more with a fresh one. */
  protected call<T>(work: (api: SecretManagersClient) => Promise<T>): Promise<T> {
    return withTokenRetry(this, () => this.api, work);
  }

  /** Describes a failed call and tells the host when its token was refused. */
  protected problemOf(error: unknown): Problem {
    const problem = toProblem(error, this.apiUrl || location.origin);
    if (problem.kind === 'unauthorized') emit(this, 'sm-unauthorized', {});
    return problem;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = onSettingsChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }
}
