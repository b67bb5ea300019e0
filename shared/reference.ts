/**
 * A secret reference as hosts store it in a field: `{{sm:<connectionId>:<path>}}`
 * (DESIGN.md). Connection ids never contain `:`; the path runs to the closing `}}`.
 * References may stand alone or inside a longer string (`Bearer {{sm:…}}`).
 */
export interface SecretReference {
  connectionId: string;
  path: string;
}

const REFERENCE = /\{\{sm:([A-Za-z0-9_-]{1,64}):((?:(?!\}\}).){1,2048})\}\}/g;

export function formatReference(ref: SecretReference): string {
  return `{{sm:${ref.connectionId}:${ref.path}}}`;
}

/** The reference a whole string is, if it is exactly one. */
export function parseReference(value: string): SecretReference | undefined {
  const matches = [...value.trim().matchAll(REFERENCE)];
  const only = matches.length === 1 ? matches[0]! : undefined;
  return only && only[0] === value.trim() ? { connectionId: only[1]!, path: only[2]! } : undefined;
}

/** Every reference inside a string, as written. */
export function findReferences(value: string): string[] {
  return [...value.matchAll(REFERENCE)].map((m) => m[0]);
}

/** Replaces each reference inside a string with `resolve(reference)`. */
export function replaceReferences(value: string, resolve: (reference: string) => string): string {
  return value.replace(REFERENCE, (match) => resolve(match));
}

export function isReferenceLike(value: string): boolean {
  return value.includes('{{sm:');
}
