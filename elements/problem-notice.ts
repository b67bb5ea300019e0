import { html, nothing, type TemplateResult } from 'lit';
import { icons } from './icons.ts';
import { msg } from './messages.ts';
import type { Problem } from './problems.ts';

/**
 * A failure as the user sees it everywhere: the title, the server's or provider's own
 * message, what to do about it, the taxonomy code for support, and an optional way out (retry, dismiss).
 */
export function renderProblem(problem: Problem, action?: { label: string; run: () => void }): TemplateResult {
  return html`<div class="notice" part="problem" role="alert" tabindex="-1">
    ${icons.alert}
    <strong>${problem.title}</strong>
    ${problem.message ? html`<p class="message">${problem.message}</p>` : nothing}
    ${problem.hint ? html`<p class="hint">${problem.hint}</p>` : nothing}
    ${problem.code ? html`<p><code title=${msg.errorCode(problem.code)}>${problem.code}</code></p>` : nothing}
    ${action ? html`<button type="button" class="button" @click=${action.run}>${action.label}</button>` : nothing}
  </div>`;
}
