import { Task } from '@lit/task';
import { html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import type { ProjectDto } from '../../shared/projects.ts';
import { SmElement } from '../base/sm-element.ts';
import { emit } from '../events.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import { renderProblem } from '../problem-notice.ts';
import type { Problem } from '../problems.ts';
import '../sm-confirm-dialog/sm-confirm-dialog.ts';
import type { SmConfirmDialog } from '../sm-confirm-dialog/sm-confirm-dialog.ts';
import { controls } from '../styles/controls.ts';
import { tokens } from '../styles/tokens.ts';
import { styles } from './sm-project-manager.styles.ts';

/**
 * @summary The platform's projects: add, rename and remove them (admin).
 *
 * @event sm-projects-changed - `{ projects }` after any change.
 * @event sm-auth-expired - The server refused the token; the element asks `getToken()` once more and retries.
 * @event sm-unauthorized - The retry was refused too.
 *
 * @csspart list - The list of projects.
 *
 * @cssproperty --sm-color-danger - Remove buttons on hover.
 */
@customElement('sm-project-manager')
export class SmProjectManager extends SmElement {
  static override styles = [tokens, controls, styles];

  @state() private projects: ProjectDto[] = [];
  @state() private adding = false;
  @state() private addError = '';
  @state() private editingId = '';
  @state() private renameError = '';
  @state() private status = '';
  @state() private loadProblem: Problem | undefined;

  @query('sm-confirm-dialog') private confirmDialog!: SmConfirmDialog;
  @query('form .input') private newName!: HTMLInputElement;

  private readonly loader = new Task(this, {
    task: (_, { signal }) => this.call((api) => api.projects.list.query(undefined, { signal })),
    args: () => [this.api] as const,
    onComplete: (projects) => (this.projects = projects),
    onError: (e) => (this.loadProblem = this.problemOf(e)),
  });

  override render() {
    return html`<h2>${msg.projectsTitle}</h2>
      <p class="description">${msg.projectsDescription}</p>
      <form @submit=${this.add}>
        <input class="input" aria-label=${msg.newProjectLabel} placeholder=${msg.newProjectPlaceholder} maxlength="100" aria-invalid=${this.addError ? 'true' : nothing} aria-describedby=${this.addError ? 'add-error' : nothing} />
        <button class="button" aria-disabled=${this.adding ? 'true' : 'false'}>
          ${this.adding ? html`<span class="spinner" aria-hidden="true"></span>` : icons.plus}${msg.addProject}
        </button>
      </form>
      ${this.addError ? html`<p id="add-error" class="error">${this.addError}</p>` : nothing}
      ${this.loader.render({
        pending: () => html`<p class="note" role="status">${msg.loading}</p>`,
        error: () => (this.loadProblem ? renderProblem(this.loadProblem, { label: msg.retry, run: () => void this.loader.run() }) : nothing),
        complete: () =>
          this.projects.length === 0
            ? html`<p class="note">${msg.projectsEmpty}</p>`
            : html`<ul part="list" aria-label=${msg.projectsTitle}>
                ${this.projects.map((p) => (p.id === this.editingId ? this.renderEditing(p) : this.renderProject(p)))}
              </ul>`,
      })}
      <p class="note" role="status">${this.status}</p>
      <sm-confirm-dialog theme=${this.theme ?? nothing}></sm-confirm-dialog>`;
  }

  private renderProject(p: ProjectDto) {
    return html`<li>
      <span>${p.name}</span>
      <button type="button" class="icon-button" data-rename=${p.id} aria-label=${msg.rename(p.name)} @click=${() => this.startRename(p)}>${icons.edit}</button>
      <button type="button" class="icon-button danger" aria-label=${msg.removeProjectLabel(p.name)} @click=${() => this.removeProject(p)}>${icons.trash}</button>
    </li>`;
  }

  private renderEditing(p: ProjectDto) {
    return html`<li class="editing">
      <input
        class="input"
        aria-label=${msg.renameLabel(p.name)}
        maxlength="100"
        .value=${p.name}
        aria-invalid=${this.renameError ? 'true' : nothing}
        aria-describedby=${this.renameError ? 'rename-error' : nothing}
        @keydown=${(e: KeyboardEvent) => this.onRenameKey(e, p)}
      />
      <button type="button" class="button primary" @click=${() => this.rename(p)}>${msg.saveName}</button>
      <button type="button" class="button quiet" @click=${() => this.stopRename(p)}>${msg.cancel}</button>
      ${this.renameError ? html`<p id="rename-error" class="error">${this.renameError}</p>` : nothing}
    </li>`;
  }

  private changed(projects: ProjectDto[], status: string): void {
    this.projects = projects;
    this.status = status;
    emit(this, 'sm-projects-changed', { projects });
  }

  private async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const name = this.newName.value.trim();
    if (this.adding) return;
    if (!name) {
      this.addError = msg.nameRequired;
      return;
    }
    this.adding = true;
    this.addError = '';
    try {
      const project = await this.call((api) => api.projects.create.mutate({ name }));
      this.newName.value = '';
      this.changed([...this.projects, project].sort((a, b) => a.name.localeCompare(b.name)), msg.projectAdded(project.name));
    } catch (e) {
      const problem = this.problemOf(e);
      this.addError = problem.fields['name'] ?? problem.message ?? problem.title;
    } finally {
      this.adding = false;
    }
  }

  private async startRename(p: ProjectDto): Promise<void> {
    this.editingId = p.id;
    this.renameError = '';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('li.editing input')?.select();
  }

  private async stopRename(p: ProjectDto): Promise<void> {
    this.editingId = '';
    this.renameError = '';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`[data-rename="${p.id}"]`)?.focus();
  }

  private onRenameKey(event: KeyboardEvent, p: ProjectDto): void {
    if (event.key === 'Enter') {
      event.preventDefault();
      void this.rename(p);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      void this.stopRename(p);
    }
  }

  private async rename(p: ProjectDto): Promise<void> {
    const name = this.renderRoot.querySelector<HTMLInputElement>('li.editing input')?.value.trim() ?? '';
    if (!name) {
      this.renameError = msg.nameRequired;
      return;
    }
    try {
      const project = name === p.name ? p : await this.call((api) => api.projects.update.mutate({ id: p.id, name }));
      this.changed(this.projects.map((x) => (x.id === p.id ? project : x)), msg.projectRenamed(project.name));
      await this.stopRename(project);
    } catch (e) {
      const problem = this.problemOf(e);
      this.renameError = problem.fields['name'] ?? problem.message ?? problem.title;
    }
  }

  private async removeProject(p: ProjectDto): Promise<void> {
    const removed = await this.confirmDialog.confirm({
      title: msg.deleteProjectTitle(p.name),
      body: msg.deleteProjectBody(p.name),
      confirmLabel: msg.deleteProjectConfirm,
      action: async () => {
        await this.call((api) => api.projects.delete.mutate({ id: p.id }));
      },
      describe: (e) => this.problemOf(e),
      fallbackFocus: () => this.newName,
    });
    if (removed) this.changed(this.projects.filter((x) => x.id !== p.id), msg.projectRemoved(p.name));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sm-project-manager': SmProjectManager;
  }
}
