import { Task, TaskStatus } from '@lit/task';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ConnectionDto, ConnectionScope, ConnectionStatus } from '../../shared/connections.ts';
import type { ProviderInfo } from '../../shared/providers/index.ts';
import { SmElement } from '../base/sm-element.ts';
import { providersOf } from '../data/providers.ts';
import { allSettled } from '../data/settled.ts';
import { emit } from '../events.ts';
import { absoluteDay, absoluteTime, relativeTime } from '../format.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import { renderProblem } from '../problem-notice.ts';
import type { Problem } from '../problems.ts';
import { providerLogo } from '../provider-logos.ts';
import '../secret-manager-dialog/secret-manager-dialog.ts';
import type { SecretManagerDialog } from '../secret-manager-dialog/secret-manager-dialog.ts';
import '../sm-confirm-dialog/sm-confirm-dialog.ts';
import type { SmConfirmDialog } from '../sm-confirm-dialog/sm-confirm-dialog.ts';
import '../sm-toast-stack/sm-toast-stack.ts';
import type { SmToastStack } from '../sm-toast-stack/sm-toast-stack.ts';
import { controls } from '../styles/controls.ts';
import { tokens } from '../styles/tokens.ts';
import { visibleConnections, type ListQuery, type SortKey } from './list-view.ts';
import { styles } from './secret-manager-list.styles.ts';

/** Status checks of unchecked rows run a few at a time: each one calls the provider. */
const PARALLEL_CHECKS = 2;
const SHOWN_PROJECTS = 2;

/**
 * @summary The Secret Managers page: every connection with its provider, scope and
 * status; create, edit, clear the cache of and delete connections; filter and sort.
 * Rows the token may not change (`canManage` false: a member's, or a platform-wide
 * connection shown to the admin of one project) are shown without actions and not checked.
 *
 * @event sm-connection-created - `{ connection }`: a connection was created (from the dialog inside).
 * @event sm-connection-updated - `{ connection }`: a connection was edited.
 * @event sm-connection-deleted - `{ connection }`: a connection was deleted.
 * @event sm-cache-cleared - `{ connectionId }`: cached values of one connection (or `null`: all) were dropped.
 * @event sm-auth-expired - The server refused the token; the list asks `getToken()` once more and retries (or set `token` in the listener).
 * @event sm-unauthorized - The retry was refused too: refresh the token and call `refresh()`.
 *
 * @csspart header - Title, description and the main actions.
 * @csspart heading - The title.
 * @csspart new-button - The "New connection" button.
 * @csspart toolbar - Filter box and selects.
 * @csspart table - The table of connections.
 * @csspart row - One connection.
 * @csspart logo - A provider logo.
 * @csspart empty - What is shown when there is no connection yet.
 * @csspart problem - Why loading or an action failed, and what to do.
 * @csspart pager - Page navigation under the table.
 *
 * @cssproperty --sm-font-family - Font; inherits the host's by default.
 * @cssproperty --sm-font-size - Base size (0.875rem).
 * @cssproperty --sm-color-background - Background of the element and its dialogs.
 * @cssproperty --sm-color-surface - Table header, footers and chips.
 * @cssproperty --sm-color-hover - Hovered rows and buttons.
 * @cssproperty --sm-color-text - Main text.
 * @cssproperty --sm-color-text-muted - Secondary text.
 * @cssproperty --sm-color-border - Borders and dividers.
 * @cssproperty --sm-color-primary - Accent: primary buttons, selection, focus ring.
 * @cssproperty --sm-color-on-primary - Text on the accent.
 * @cssproperty --sm-color-danger - Errors, failed status, delete.
 * @cssproperty --sm-color-on-danger - Text on the danger colour.
 * @cssproperty --sm-color-success - Connected status and confirmations.
 * @cssproperty --sm-color-focus - Focus ring (defaults to the primary colour).
 * @cssproperty --sm-radius - Corner radius.
 * @cssproperty --sm-shadow - Shadow of dialogs and toasts.
 */
@customElement('secret-manager-list')
export class SecretManagerList extends SmElement {
  static override styles = [tokens, controls, styles];

  /** Rows per page: the table renders one page, so it stays fast with thousands of connections. */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 25;

  /** Hides every action: for people who may only look. */
  @property({ type: Boolean }) readonly = false;

  @state() private connections: ConnectionDto[] | undefined;
  @state() private providers: ProviderInfo[] = [];
  @state() private loadProblem: Problem | undefined;
  @state() private actionProblem: Problem | undefined;
  @state() private filter: ListQuery = { text: '', provider: '', scope: '', sort: 'name', descending: false };
  @state() private page = 0;
  @state() private checking = new Set<string>();
  @state() private clearing = new Set<string>();
  @state() private dismissedTip = '';

  @query('secret-manager-dialog') private dialog!: SecretManagerDialog;
  @query('sm-confirm-dialog') private confirmDialog!: SmConfirmDialog;
  @query('sm-toast-stack') private toasts!: SmToastStack;
  @query('h2') private heading!: HTMLElement;

  private visible: ConnectionDto[] = [];
  private pendingChecks: string[] = [];
  private runningChecks = 0;
  private checksAllowed = true;
  /** Rows whose check could not run (no right, no server): not retried on every render. */
  private uncheckable = new Set<string>();

  private readonly loader = new Task(this, {
    task: ([, projectId], { signal }) =>
      this.call(async (api) => {
        const [providers, connections] = await allSettled([providersOf(api), api.secretManagers.list.query(projectId ? { projectId } : undefined, { signal })]);
        return { providers, connections };
      }),
    args: () => [this.api, this.projectId] as const,
    onComplete: ({ providers, connections }) => {
      this.providers = providers;
      this.connections = connections;
      this.loadProblem = undefined;
    },
    onError: (error) => {
      this.loadProblem = this.problemOf(error);
    },
  });

  /** Loads the connections again (e.g. after the host refreshed the token). */
  refresh(): void {
    void this.loader.run();
  }

  /** Opens the dialog to create a connection. */
  openCreateDialog(): void {
    this.dialog.show();
  }

  override willUpdate(changed: PropertyValues): void {
    if (changed.has('client') || changed.has('apiUrl') || changed.has('token') || changed.has('projectId')) {
      // Another server, platform or project: nothing shown so far applies.
      this.connections = undefined;
      this.checksAllowed = true;
      this.uncheckable.clear();
    }
    if (changed.has('connections') || changed.has('filter') || changed.has('providers')) {
      this.visible = this.connections ? visibleConnections(this.connections, this.filter, (id) => this.providerName(id)) : [];
    }
    this.page = Math.min(this.page, Math.max(0, this.pageCount - 1));
    this.scheduleChecks(this.pageRows);
  }

  private get pageCount(): number {
    return Math.ceil(this.visible.length / this.pageSize);
  }

  private get pageRows(): ConnectionDto[] {
    return this.visible.slice(this.page * this.pageSize, (this.page + 1) * this.pageSize);
  }

  private providerName(id: string): string {
    return this.providers.find((p) => p.id === id)?.name ?? id;
  }

  override render() {
    return html`
      <div class="header" part="header">
        <div>
          <h2 part="heading" tabindex="-1">${msg.listTitle}</h2>
          <p class="description">${msg.listDescription}</p>
        </div>
        ${this.readonly || !this.connections ? nothing : this.renderHeaderActions()}
      </div>
      ${this.actionProblem ? renderProblem(this.actionProblem, { label: msg.dismiss, run: () => (this.actionProblem = undefined) }) : nothing}
      ${this.renderBody()}
      <secret-manager-dialog
        .client=${this.api}
        .apiUrl=${this.apiUrl}
        project-id=${this.projectId ?? nothing}
        theme=${this.theme ?? nothing}
        @sm-connection-created=${this.onCreated}
        @sm-connection-updated=${this.onUpdated}
      ></secret-manager-dialog>
      <sm-confirm-dialog theme=${this.theme ?? nothing}></sm-confirm-dialog>
      <sm-toast-stack theme=${this.theme ?? nothing}></sm-toast-stack>
    `;
  }

  private renderHeaderActions() {
    return html`<div class="header-actions">
      ${this.connections?.length && this.connections.every((c) => c.canManage)
        ? this.iconTip(
            'all',
            html`<button
              type="button"
              class="button quiet"
              aria-describedby="tip-all"
              aria-disabled=${this.clearing.has('') ? 'true' : 'false'}
              @click=${() => this.clearCache()}
            >
              ${this.clearing.has('') ? html`<span class="spinner" aria-hidden="true"></span>` : icons.refresh}${msg.clearAllCaches}
            </button>`,
            msg.clearAllCachesTooltip,
            true,
          )
        : nothing}
      <button type="button" class="button primary" part="new-button" @click=${() => this.openCreateDialog()}>${icons.plus}${msg.newConnection}</button>
    </div>`;
  }

  private renderBody() {
    if (this.loadProblem && this.loader.status === TaskStatus.ERROR) {
      return renderProblem(this.loadProblem, { label: msg.retry, run: () => this.refresh() });
    }
    if (!this.connections) return this.renderSkeleton();
    if (this.connections.length === 0) return this.renderEmpty();
    const filtered = this.filter.text || this.filter.provider || this.filter.scope;
    return html`${this.renderToolbar()}
    ${this.visible.length === 0
      ? html`<div class="empty" part="empty">
          <h3>${msg.noMatchesTitle}</h3>
          <button type="button" class="button" @click=${this.clearFilters}>${msg.clearFilters}</button>
        </div>`
      : html`<div class="table-wrap">
            <table part="table" aria-busy=${this.loader.status === TaskStatus.PENDING ? 'true' : 'false'}>
              <caption class="visually-hidden">${msg.listTitle}${filtered ? ` (${msg.resultCount(this.visible.length, this.connections.length)})` : ''}</caption>
              <thead>
                <tr>
                  ${this.sortHeader('name', msg.columnName)} ${this.sortHeader('provider', msg.columnProvider)} ${this.sortHeader('scope', msg.columnScope)}
                  ${this.sortHeader('status', msg.columnStatus)} ${this.sortHeader('updated', msg.columnUpdated)}
                  ${this.readonly ? nothing : html`<th scope="col" class="actions"><span class="visually-hidden">${msg.columnActions}</span></th>`}
                </tr>
              </thead>
              <tbody>
                ${repeat(this.pageRows, (c) => c.id, (c) => this.renderRow(c))}
              </tbody>
            </table>
          </div>
          ${this.renderPager()}`}`;
  }

  private renderSkeleton() {
    return html`<div class="table-wrap">
      <span class="visually-hidden" role="status">${msg.loadingConnections}</span>
      <table class="skeleton" aria-hidden="true">
        <tbody>
          ${[0, 1, 2, 3].map(() => html`<tr>${[0, 1, 2, 3].map(() => html`<td><div></div></td>`)}</tr>`)}
        </tbody>
      </table>
    </div>`;
  }

  private renderEmpty() {
    return html`<div class="empty" part="empty">
      <div class="empty-icon">${icons.key}</div>
      <h3>${msg.emptyTitle}</h3>
      <p>${msg.emptyBody}</p>
      ${this.readonly ? nothing : html`<button type="button" class="button primary" @click=${() => this.openCreateDialog()}>${icons.plus}${msg.newConnection}</button>`}
    </div>`;
  }

  private renderToolbar() {
    const present = this.providers.filter((p) => this.connections?.some((c) => c.provider === p.id));
    return html`<div class="toolbar" part="toolbar" role="search">
      <div class="search">
        ${icons.search}
        <input
          type="search"
          class="input"
          aria-label=${msg.filterLabel}
          placeholder=${msg.filterPlaceholder}
          .value=${this.filter.text}
          @input=${(e: Event) => this.setFilter({ text: (e.target as HTMLInputElement).value })}
        />
      </div>
      <select class="input" aria-label=${msg.providerFilterLabel} @change=${(e: Event) => this.setFilter({ provider: (e.target as HTMLSelectElement).value })}>
        <option value="" ?selected=${!this.filter.provider}>${msg.allProviders}</option>
        ${present.map((p) => html`<option value=${p.id} ?selected=${this.filter.provider === p.id}>${p.name}</option>`)}
      </select>
      <select
        class="input"
        aria-label=${msg.scopeFilterLabel}
        @change=${(e: Event) => this.setFilter({ scope: (e.target as HTMLSelectElement).value as '' | ConnectionScope })}
      >
        <option value="" ?selected=${!this.filter.scope}>${msg.allScopes}</option>
        <option value="PLATFORM" ?selected=${this.filter.scope === 'PLATFORM'}>${msg.scopePlatform}</option>
        <option value="PROJECT" ?selected=${this.filter.scope === 'PROJECT'}>${msg.scopeProject}</option>
      </select>
      <p class="count" role="status">${msg.resultCount(this.visible.length, this.connections?.length ?? 0)}</p>
    </div>`;
  }

  private sortHeader(key: SortKey, label: string) {
    const sorted = this.filter.sort === key;
    const icon = sorted ? (this.filter.descending ? icons.sortDown : icons.sortUp) : icons.sortNone;
    return html`<th scope="col" aria-sort=${sorted ? (this.filter.descending ? 'descending' : 'ascending') : nothing}>
      <button type="button" class="sort" @click=${() => this.setFilter({ sort: key, descending: sorted && !this.filter.descending })}>
        ${label}${icon}
      </button>
    </th>`;
  }

  private renderRow(c: ConnectionDto) {
    const method = this.providers.find((p) => p.id === c.provider)?.authMethods.find((m) => m.id === c.authMethod)?.label ?? c.authMethod;
    return html`<tr part="row" data-id=${c.id}>
      <td>
        <div class="name">${providerLogo(c.provider)}<span>${c.name}</span></div>
      </td>
      <td>${this.providerName(c.provider)}<span class="sub">${method}</span></td>
      <td>${this.renderScope(c)}</td>
      <td>${this.renderStatus(c)}</td>
      <td>
        <time datetime=${c.updatedAt} title=${absoluteTime(c.updatedAt)}>${relativeTime(c.updatedAt)}</time>
        <span class="sub" title=${absoluteTime(c.createdAt)}>${msg.createdOn(absoluteDay(c.createdAt))}</span>
      </td>
      ${this.readonly ? nothing : html`<td class="actions">${c.canManage ? this.renderActions(c) : nothing}</td>`}
    </tr>`;
  }

  private renderScope(c: ConnectionDto) {
    if (c.scope === 'PLATFORM') return html`<span class="badge" title=${msg.scopePlatformHelp}>${msg.scopePlatform}</span>`;
    const shown = c.projects.slice(0, SHOWN_PROJECTS).map((p) => p.name);
    const more = c.projects.length - shown.length;
    return html`<div class="scope" title=${c.projects.map((p) => p.name).join(', ')}>
      <span class="badge project">${msg.scopeProject}</span> ${shown.join(', ')}${more > 0 ? html` <span class="sub">${msg.moreProjects(more)}</span>` : nothing}
    </div>`;
  }

  private renderStatus(c: ConnectionDto) {
    const s = c.status;
    if (s.state === 'connected') {
      return html`<span class="status connected" title=${msg.checkedAt(relativeTime(s.checkedAt))}><span class="dot"></span>${msg.statusConnected}</span>`;
    }
    if (s.state === 'failed') {
      const reason = `${msg.errorTitles[s.code] ?? s.code}: ${s.message}`;
      return html`<span class="status failed"><span class="dot"></span>${msg.statusFailed}</span><span class="reason" title=${reason}>${reason}</span>`;
    }
    if (s.state === 'undecryptable') {
      // Not a check that may pass next time: the server cannot read what it stored until someone acts on the hint.
      return html`<span class="status failed"><span class="dot"></span>${msg.statusUndecryptable}</span
        ><span class="reason" title=${s.message}>${s.message}</span><span class="reason hint" title=${s.hint}>${s.hint}</span>`;
    }
    return this.checking.has(c.id)
      ? html`<span class="status checking"><span class="spinner" aria-hidden="true"></span>${msg.statusChecking}</span>`
      : html`<span class="status">${msg.statusUnknown}</span>`;
  }

  private renderActions(c: ConnectionDto) {
    const clearing = this.clearing.has(c.id);
    return html`${this.iconTip(
      `edit-${c.id}`,
      html`<button type="button" class="icon-button" aria-label=${msg.edit(c.name)} @click=${() => this.dialog.show(c)}>${icons.edit}</button>`,
      msg.edit(c.name),
    )}
    ${this.iconTip(
      `cache-${c.id}`,
      html`<button
        type="button"
        class="icon-button"
        aria-label=${msg.clearCache(c.name)}
        aria-describedby="tip-cache-${c.id}"
        aria-disabled=${clearing ? 'true' : 'false'}
        @click=${() => this.clearCache(c)}
      >
        ${clearing ? html`<span class="spinner" aria-hidden="true"></span>` : icons.refresh}
      </button>`,
      msg.clearCacheTooltip,
      true,
    )}
    ${this.iconTip(
      `delete-${c.id}`,
      html`<button type="button" class="icon-button danger" aria-label=${msg.delete(c.name)} @click=${() => this.deleteConnection(c)}>${icons.trash}</button>`,
      msg.delete(c.name),
    )}`;
  }

  /**
   * A tooltip on hover and keyboard focus that Escape dismisses (WCAG 1.4.13). It either
   * describes the control (`aria-describedby="tip-<id>"`) or repeats its name for sighted users.
   */
  private iconTip(id: string, control: TemplateResult, text: string, describes = false) {
    return html`<span
      class="tip ${this.dismissedTip === id ? 'dismissed' : ''}"
      @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.dismissTip(e, id)}
      @focusout=${() => (this.dismissedTip = '')}
      @mouseleave=${() => (this.dismissedTip = '')}
    >
      ${control}
      <span role="tooltip" id="tip-${id}" aria-hidden=${describes ? nothing : 'true'}>${text}</span>
    </span>`;
  }

  private dismissTip(event: KeyboardEvent, id: string): void {
    if (this.dismissedTip === id) return;
    event.stopPropagation();
    this.dismissedTip = id;
  }

  private renderPager() {
    if (this.pageCount <= 1) return nothing;
    const from = this.page * this.pageSize + 1;
    const to = Math.min(this.visible.length, from + this.pageSize - 1);
    const go = (page: number) => () => {
      if (page >= 0 && page < this.pageCount) this.page = page;
    };
    return html`<div class="pager" part="pager">
      <span>${msg.pageRange(from, to, this.visible.length)}</span>
      <nav aria-label=${msg.pagination}>
        <button type="button" class="icon-button" aria-label=${msg.previousPage} aria-disabled=${this.page === 0 ? 'true' : 'false'} @click=${go(this.page - 1)}>
          ${icons.back}
        </button>
        <span aria-current="page">${msg.pageOf(this.page + 1, this.pageCount)}</span>
        <button
          type="button"
          class="icon-button"
          aria-label=${msg.nextPage}
          aria-disabled=${this.page >= this.pageCount - 1 ? 'true' : 'false'}
          @click=${go(this.page + 1)}
        >
          ${icons.next}
        </button>
      </nav>
    </div>`;
  }

  private setFilter(change: Partial<ListQuery>): void {
    this.filter = { ...this.filter, ...change };
    this.page = 0;
  }

  private clearFilters(): void {
    this.filter = { ...this.filter, text: '', provider: '', scope: '' };
    this.page = 0;
  }

  private replace(connection: ConnectionDto): void {
    this.connections = this.connections?.map((c) => (c.id === connection.id ? connection : c));
  }

  private onCreated(event: CustomEvent<{ connection: ConnectionDto }>): void {
    const { connection } = event.detail;
    this.connections = [...(this.connections ?? []), connection];
    this.toasts.show(msg.connectionCreated(connection.name));
  }

  private onUpdated(event: CustomEvent<{ connection: ConnectionDto }>): void {
    this.replace(event.detail.connection);
    this.toasts.show(msg.connectionUpdated(event.detail.connection.name));
  }

  private async deleteConnection(connection: ConnectionDto): Promise<void> {
    const deleted = await this.confirmDialog.confirm({
      title: msg.deleteTitle(connection.name),
      body: msg.deleteBody(connection.name),
      confirmLabel: msg.deleteConfirm,
      action: async () => {
        try {
          await this.call((api) => api.secretManagers.delete.mutate({ id: connection.id }));
        } catch (e) {
          // Already gone (someone else deleted it): the outcome the user asked for.
          if (this.problemOf(e).kind !== 'not-found') throw e;
        }
        // The row goes before the dialog closes, so focus moves to the heading, not to a removed button.
        this.connections = this.connections?.filter((c) => c.id !== connection.id);
        await this.updateComplete;
      },
      describe: (e) => this.problemOf(e),
      fallbackFocus: () => this.heading,
    });
    if (!deleted) return;
    this.toasts.show(msg.connectionDeleted(connection.name));
    emit(this, 'sm-connection-deleted', { connection });
  }

  /** Clears one connection's cached values, or every connection's without an argument. */
  private async clearCache(connection?: ConnectionDto): Promise<void> {
    const key = connection?.id ?? '';
    if (this.clearing.has(key)) return;
    this.clearing = new Set([...this.clearing, key]);
    this.actionProblem = undefined;
    try {
      await this.call((api) => api.secretManagers.clearCache.mutate(connection ? { connectionId: connection.id } : undefined));
      this.toasts.show(connection ? msg.cacheCleared(connection.name) : msg.allCachesCleared);
      emit(this, 'sm-cache-cleared', { connectionId: connection?.id ?? null });
    } catch (e) {
      this.actionProblem = this.problemOf(e);
    } finally {
      const clearing = new Set(this.clearing);
      clearing.delete(key);
      this.clearing = clearing;
    }
  }

  /** Rows shown without a recent check get one ("Checking…"), a few at a time. */
  private scheduleChecks(rows: ConnectionDto[]): void {
    if (this.readonly || !this.checksAllowed) return;
    const ids = rows
      .filter((c) => c.canManage && c.status.state === 'unknown' && !this.checking.has(c.id) && !this.uncheckable.has(c.id))
      .map((c) => c.id);
    if (ids.length === 0) return;
    this.checking = new Set([...this.checking, ...ids]);
    this.pendingChecks.push(...ids);
    this.pumpChecks();
  }

  private pumpChecks(): void {
    while (this.runningChecks < PARALLEL_CHECKS && this.pendingChecks.length > 0) {
      const id = this.pendingChecks.shift()!;
      this.runningChecks++;
      void this.check(id).finally(() => {
        this.runningChecks--;
        this.pumpChecks();
      });
    }
  }

  private async check(id: string): Promise<void> {
    const checkedAt = new Date().toISOString();
    let status: ConnectionStatus | undefined;
    try {
      await this.call((api) => api.secretManagers.test.mutate({ id }));
      status = { state: 'connected', checkedAt };
    } catch (e) {
      const problem = this.problemOf(e);
      if (problem.code) status = { state: 'failed', code: problem.code, message: problem.message ?? problem.title, checkedAt };
      else if (problem.kind === 'forbidden' || problem.kind === 'unauthorized') {
        // Not ours to check (member token) or no session: stop trying, rows say "Not checked yet".
        this.checksAllowed = false;
        this.pendingChecks = [];
        this.checking = new Set();
      }
    }
    const connection = this.connections?.find((c) => c.id === id);
    if (connection && status) this.replace({ ...connection, status });
    if (!status) this.uncheckable.add(id);
    const checking = new Set(this.checking);
    checking.delete(id);
    this.checking = checking;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'secret-manager-list': SecretManagerList;
  }
}
