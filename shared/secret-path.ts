/**
 * The secret path syntax shared by every provider (DESIGN.md):
 * `<name-or-path>[@<version>][#<json.key>]`. The part before `@`/`#` is the provider's
 * native identifier; each provider validates and normalises it with its own rules.
 */
export interface SecretPath {
  /** The provider's native identifier (normalised). */
  name: string;
  /** A pinned version (provider-specific: number, id or stage). */
  version?: string;
  /** Dotted key into a JSON (or KV map) secret, as typed. */
  key?: string;
}

export type PathParseResult = { ok: true; path: SecretPath } | { ok: false; message: string };

export interface PathSyntax {
  placeholder: string;
  help: string;
  examples: string[];
}

/** Provider-specific rules for the native part; returns an error message or the normalised path. */
export type NativePathRule = (path: SecretPath) => SecretPath | string;

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function parseSecretPath(input: string, rule?: NativePathRule): PathParseResult {
  const raw = input.trim();
  if (raw.length === 0) return { ok: false, message: 'The secret path is empty.' };
  if (raw.length > 2048) return { ok: false, message: 'The secret path is longer than 2048 characters.' };
  if (CONTROL_CHARS.test(raw)) return { ok: false, message: 'The secret path contains control characters.' };

  const hash = raw.indexOf('#');
  const beforeKey = hash === -1 ? raw : raw.slice(0, hash);
  const key = hash === -1 ? undefined : raw.slice(hash + 1);
  if (key !== undefined && (key.length === 0 || key.split('.').some((s) => s.length === 0))) {
    return { ok: false, message: 'The key after # is empty or has an empty segment (write #a.b for nested keys).' };
  }

  const at = beforeKey.lastIndexOf('@');
  const name = at === -1 ? beforeKey : beforeKey.slice(0, at);
  const version = at === -1 ? undefined : beforeKey.slice(at + 1);
  if (name.length === 0) return { ok: false, message: 'The secret name before @ or # is empty.' };
  if (version !== undefined && version.length === 0) {
    return { ok: false, message: 'The version after @ is empty.' };
  }

  const path: SecretPath = { name };
  if (version !== undefined) path.version = version;
  if (key !== undefined) path.key = key;
  if (!rule) return { ok: true, path };
  const normalised = rule(path);
  return typeof normalised === 'string' ? { ok: false, message: normalised } : { ok: true, path: normalised };
}

export function formatSecretPath(path: SecretPath): string {
  return `${path.name}${path.version !== undefined ? `@${path.version}` : ''}${path.key !== undefined ? `#${path.key}` : ''}`;
}
