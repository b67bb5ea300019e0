/**
 * Stored credentials stay bound to where they were entered (DESIGN.md, "Security model").
 * An edit that changes a destination field (`FieldMeta.destination`: an address, authority,
 * namespace, mount or CA) or the auth method must carry every credential again; otherwise a
 * test or a save of the edited config would send a stored token to a listener of the
 * editor's choosing. Messages name fields by label, never by value.
 */
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import type { FieldDescription } from '../../shared/fields.ts';
import { SecretManagerError } from '../errors.ts';
import { fieldIssues } from './validation-error.ts';

/**
 * A field's value as its schema stores it, so that spelling alone (surrounding spaces, a
 * default left out) is no change. An empty text counts as absent: the forms leave empty
 * fields out, and every destination field that accepts one treats it as unset.
 */
function normalised(schema: z.ZodType | undefined, value: unknown): unknown {
  const parsed = schema?.safeParse(value);
  const out = parsed?.success ? parsed.data : value;
  return out === '' ? undefined : out;
}

/**
 * What moves the stored credentials, in words for a message ("Vault address", "the
 * authentication method"), or undefined when the edit leaves them where they were. A
 * destination field added or removed counts as changed.
 */
export function rebindingOf(
  schema: z.ZodObject,
  fields: FieldDescription[],
  stored: { authMethod: string } & Record<string, unknown>,
  edited: { authMethod: string } & Record<string, unknown>,
): string | undefined {
  if (edited.authMethod !== stored.authMethod) return 'the authentication method';
  const changed = fields.filter((f) => {
    const fieldSchema = schema.shape[f.name] as z.ZodType | undefined;
    return f.destination && !isDeepStrictEqual(normalised(fieldSchema, stored[f.name]), normalised(fieldSchema, edited[f.name]));
  });
  return changed.length > 0 ? listOf(changed.map((f) => f.label)) : undefined;
}

/**
 * The credentials an edit that moves them must carry: every secret field the method
 * requires, and every one that would otherwise have come from storage.
 */
export function isOwed(field: FieldDescription, stored: Record<string, unknown>): boolean {
  return field.secret && (field.required || stored[field.name] !== undefined);
}

/** Why an edit owes credentials: the sentence its message starts with, and the reason each owed field gives. */
export interface OwedBecause {
  message: string;
  field: string;
  hint?: string;
}

/** The edit moves where the stored credentials would go (see rebindingOf). */
export const movesCredentials = (rebinding: string): OwedBecause => ({
  message: `${capitalised(rebinding)} changed, and stored credentials are only sent where they were entered.`,
  field: `${rebinding} changed.`,
});

/**
 * CREDENTIALS_REQUIRED naming each owed field, on the field itself too; the edit's other
 * problems come along, so the form shows everything at once.
 */
export function credentialsRequired(owed: FieldDescription[], because: OwedBecause, otherIssues: readonly z.core.$ZodIssue[]): SecretManagerError {
  const owedPaths = new Set(owed.map((f) => `config.${f.name}`));
  const issues = [
    ...owed.map((f) => ({ path: ['config', f.name], message: `Enter ${f.label} again: ${because.field}` })),
    ...otherIssues
      .map((i) => ({ path: i.path.map(String), message: i.message }))
      .filter((i) => !owedPaths.has(i.path.join('.'))),
  ];
  const message = `${because.message} Enter ${listOf(owed.map((f) => f.label))} again.`;
  return new SecretManagerError('CREDENTIALS_REQUIRED', message, { zodError: fieldIssues(issues), ...(because.hint !== undefined && { hint: because.hint }) });
}

function listOf(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
