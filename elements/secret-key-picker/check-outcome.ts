import { html, nothing, type TemplateResult } from 'lit';
import { isSecretManagerErrorCode } from '../../shared/errors.ts';
import type { CheckSecretOutput } from '../../shared/secrets.ts';
import { parseSecretPath, formatSecretPath } from '../../shared/secret-path.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';
import { renderProblem } from '../problem-notice.ts';
import type { Problem } from '../problems.ts';

/** What the last "Check" said about a (connection, path): never a value, only whether it resolves. */
export interface CheckOutcome {
  connectionId: string;
  path: string;
  result?: CheckSecretOutput;
  /** The call itself failed (server unreachable…): the secret may still be fine. */
  problem?: Problem;
}

/** The check result of a missing or unreadable secret, told like any other failure. */
function problemOf(result: Extract<CheckSecretOutput, { exists: false }>): Problem {
  const code = isSecretManagerErrorCode(result.code) ? result.code : undefined;
  return {
    kind: code ? 'provider' : 'not-found',
    title: code ? msg.errorTitles[code] : msg.connectionUnavailableTitle,
    message: result.message,
    ...(result.hint && { hint: result.hint }),
    ...(code && { code }),
    fields: {},
  };
}

/** `path` with its `#key` part replaced (or removed, for the whole secret). */
export function withKey(path: string, key: string | undefined): string {
  const parsed = parseSecretPath(path);
  if (!parsed.ok) return path;
  return formatSecretPath({ ...parsed.path, key });
}

export function selectedKey(path: string): string | undefined {
  const parsed = parseSecretPath(path);
  return parsed.ok ? parsed.path.key : undefined;
}

/**
 * Found (with the version, and the JSON keys to choose one from), or why not. Choosing a
 * key calls `onKey`; the secret's value is never shown, the server does not even send it.
 */
export function renderCheckOutcome(outcome: CheckOutcome, path: string, onKey: (key: string | undefined) => void): TemplateResult {
  if (outcome.problem) return renderProblem(outcome.problem);
  const result = outcome.result!;
  if (!result.exists) return html`${renderProblem(problemOf(result))}<p class="hint">${msg.useAnywayHint}</p>`;
  const chosen = selectedKey(path);
  return html`<div class="notice success" part="check-result">
    ${icons.check}
    <strong>${result.version ? msg.secretFoundVersion(result.version) : msg.secretFound}</strong>
    ${result.keys && result.keys.length > 0
      ? html`<fieldset class="keys">
          <legend>${msg.secretKeysLegend}</legend>
          ${[undefined, ...result.keys].map(
            (key) => html`<label class="key-choice">
              <input type="radio" name="key" .checked=${chosen === key} @change=${() => onKey(key)} />
              ${key === undefined ? msg.wholeSecret : html`<code>${key}</code>`}
            </label>`,
          )}
        </fieldset>`
      : nothing}
  </div>`;
}
