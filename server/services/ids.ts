import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Prefixed random ids (`con_…`): readable in logs and references, and never contain
 * `:`, which the reference format `{{sm:<connectionId>:<path>}}` relies on.
 */
export function newId(prefix: string, length = 20): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 36];
  return `${prefix}_${out}`;
}

/** Whether `value` has the shape `newId(prefix)` gives: checked before it reaches a query. */
export function isIdOf(prefix: string, value: unknown): value is string {
  return typeof value === 'string' && value.length <= prefix.length + 1 + 64 && value.startsWith(`${prefix}_`) && /^[0-9a-z]+$/.test(value.slice(prefix.length + 1));
}
