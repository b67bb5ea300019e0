import { SecretManagerError } from '../errors.ts';
import type { SecretValue } from './types.ts';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asText(v: Json): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Finds `key` as a literal key first (keys may contain dots), then as a dotted path. */
function lookup(entry: Record<string, Json>, key: string): Json | undefined {
  if (Object.hasOwn(entry, key)) return entry[key];
  let node: Json | undefined = entry;
  for (const segment of key.split('.')) {
    if (isObject(node) && Object.hasOwn(node, segment)) node = node[segment];
    else if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
    else return undefined;
  }
  return node;
}

/**
 * Applies the `#key` part of a path to a secret. `entry` is a provider's raw value: a
 * string (which may hold JSON) or an already-structured map (Vault KV).
 * Without a key, a map with exactly one field yields that field.
 */
export function selectValue(entry: string | Record<string, Json>, key: string | undefined, version?: string): SecretValue {
  let map: Record<string, Json> | undefined;
  if (isObject(entry)) map = entry;
  else {
    try {
      const parsed: unknown = JSON.parse(entry);
      if (isObject(parsed)) map = parsed as Record<string, Json>;
    } catch {
      map = undefined;
    }
  }
  const base = version === undefined ? {} : { version };
  const keys = map ? Object.keys(map) : undefined;

  if (key === undefined) {
    if (!map) return { ...base, value: entry as string };
    const only = keys!.length === 1 && isObject(entry) ? map[keys![0]!] : undefined;
    return { ...base, value: only !== undefined ? asText(only) : typeof entry === 'string' ? entry : JSON.stringify(map), keys };
  }
  if (!map) {
    throw new SecretManagerError('KEY_NOT_FOUND', `The secret is not a JSON object, so it has no key "${key}". Remove #${key} to use the whole value.`);
  }
  const found = lookup(map, key);
  if (found === undefined) {
    throw new SecretManagerError('KEY_NOT_FOUND', `The secret has no key "${key}". Its keys are: ${keys!.join(', ') || '(none)'}.`);
  }
  return { ...base, value: asText(found), keys };
}
