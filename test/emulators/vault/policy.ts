/**
 * ACL evaluation with Vault's path-matching rules:
 * https://developer.hashicorp.com/vault/docs/concepts/policies#priority-matching
 */
import type { Capability, PolicyRule } from './types.ts';

/**
 * Vault attaches the `default` policy to every token; it is what lets any valid token look
 * itself up, renew and revoke itself. Like in Vault, writing a policy named `default` replaces it.
 */
export const DEFAULT_POLICY: PolicyRule[] = [
  { path: 'auth/token/lookup-self', capabilities: ['read'] },
  // Vault serves this one without an ACL check; it shows a token only the mounts it may use.
  { path: 'sys/internal/ui/mounts', capabilities: ['read'] },
  { path: 'auth/token/renew-self', capabilities: ['update'] },
  { path: 'auth/token/revoke-self', capabilities: ['update'] },
];

interface CompiledPath {
  path: string;
  isPrefix: boolean;
  /** Index of the first `+` or `*`, or Infinity for an exact path. */
  firstWildcard: number;
  plusSegments: number;
  pattern: RegExp;
  capabilities: Set<Capability>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(path: string, capabilities: Set<Capability>): CompiledPath {
  const isPrefix = path.endsWith('*');
  const body = isPrefix ? path.slice(0, -1) : path;
  const segments = body.split('/');
  // `+` stands for exactly one whole segment; anywhere else it is a literal character.
  const source = segments.map((s) => (s === '+' ? '[^/]+' : escapeRegExp(s))).join('/');
  const wildcardAt = [path.indexOf('+'), isPrefix ? path.length - 1 : -1].filter((i) => i >= 0);
  return {
    path,
    isPrefix,
    firstWildcard: wildcardAt.length > 0 ? Math.min(...wildcardAt) : Infinity,
    plusSegments: segments.filter((s) => s === '+').length,
    pattern: new RegExp(`^${source}${isPrefix ? '' : '$'}`),
    capabilities,
  };
}

/** Positive when `a` takes priority over `b`, following the five documented tie-breakers in order. */
function comparePriority(a: CompiledPath, b: CompiledPath): number {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard > b.firstWildcard ? 1 : -1;
  if (a.isPrefix !== b.isPrefix) return a.isPrefix ? -1 : 1;
  if (a.plusSegments !== b.plusSegments) return a.plusSegments < b.plusSegments ? 1 : -1;
  if (a.path.length !== b.path.length) return a.path.length > b.path.length ? 1 : -1;
  return a.path > b.path ? 1 : a.path < b.path ? -1 : 0;
}

/**
 * Rules for the same path in several policies merge into one capability set, as in Vault;
 * then only the highest-priority matching path decides, and `deny` in it refuses everything.
 */
function isAllowed(rules: PolicyRule[], requestPath: string, capability: Capability): boolean {
  const merged = new Map<string, Set<Capability>>();
  for (const rule of rules) {
    const caps = merged.get(rule.path) ?? new Set<Capability>();
    for (const c of rule.capabilities) caps.add(c);
    merged.set(rule.path, caps);
  }
  let best: CompiledPath | undefined;
  for (const [path, caps] of merged) {
    const candidate = compile(path, caps);
    if (!candidate.pattern.test(requestPath)) continue;
    if (!best || comparePriority(candidate, best) > 0) best = candidate;
  }
  if (!best || best.capabilities.has('deny')) return false;
  return best.capabilities.has(capability);
}

/** The `root` policy allows everything; other policy names are looked up in the token's namespace. */
export function policiesAllow(
  store: ReadonlyMap<string, PolicyRule[]>,
  policyNames: readonly string[],
  requestPath: string,
  capability: Capability,
): boolean {
  if (policyNames.includes('root')) return true;
  return isAllowed(policyNames.flatMap((name) => store.get(name) ?? []), requestPath, capability);
}

/**
 * Vault's `hasMountAccess`: a token "may use" a mount (`secret/`) when any of its rules grants
 * a capability other than `deny` on a path under it: a rule inside the mount (`secret/data/*`),
 * or a wildcard rule whose fixed start the mount begins with (`sec*`, `*`, `+/data/*`).
 * It decides what `sys/internal/ui/mounts` lists.
 */
export function policiesReachMount(store: ReadonlyMap<string, PolicyRule[]>, policyNames: readonly string[], mountPath: string): boolean {
  if (policyNames.includes('root')) return true;
  return policyNames
    .flatMap((name) => store.get(name) ?? [])
    .some((rule) => {
      if (rule.capabilities.every((c) => c === 'deny')) return false;
      const wildcard = compile(rule.path, new Set()).firstWildcard;
      return rule.path.startsWith(mountPath) || (wildcard !== Infinity && mountPath.startsWith(rule.path.slice(0, wildcard)));
    });
}
