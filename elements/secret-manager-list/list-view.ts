import type { ConnectionDto, ConnectionScope, ConnectionStatus } from '../../shared/connections.ts';

export type SortKey = 'name' | 'provider' | 'scope' | 'status' | 'updated';

export interface ListQuery {
  text: string;
  provider: string;
  scope: '' | ConnectionScope;
  sort: SortKey;
  descending: boolean;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
/** Worst first: what needs someone's attention leads when sorted by status. */
const statusOrder = { undecryptable: 0, failed: 1, unknown: 2, connected: 3 } as const satisfies Record<ConnectionStatus['state'], number>;

/** Lower-cased text a row is found by, built once per row object (rows are replaced, never mutated). */
const haystacks = new WeakMap<ConnectionDto, string>();

function haystack(c: ConnectionDto, providerName: string): string {
  let text = haystacks.get(c);
  if (text === undefined) {
    text = [c.name, providerName, c.provider, c.authMethod, c.scope, ...c.projects.map((p) => p.name)].join('\n').toLowerCase();
    haystacks.set(c, text);
  }
  return text;
}

/**
 * Filtering and sorting run in memory: the server returns a platform's connections in one
 * list, and a thousand rows filter and sort in well under a frame.
 */
export function visibleConnections(all: ConnectionDto[], q: ListQuery, providerName: (id: string) => string): ConnectionDto[] {
  const text = q.text.trim().toLowerCase();
  const rows = all.filter(
    (c) => (!q.provider || c.provider === q.provider) && (!q.scope || c.scope === q.scope) && (!text || haystack(c, providerName(c.provider)).includes(text)),
  );
  const compare: Record<SortKey, (a: ConnectionDto, b: ConnectionDto) => number> = {
    name: () => 0,
    provider: (a, b) => collator.compare(providerName(a.provider), providerName(b.provider)),
    scope: (a, b) => a.scope.localeCompare(b.scope),
    status: (a, b) => statusOrder[a.status.state] - statusOrder[b.status.state],
    updated: (a, b) => a.updatedAt.localeCompare(b.updatedAt),
  };
  const direction = q.descending ? -1 : 1;
  // Ties fall back to the name, so every column sorts into a stable, readable order.
  return rows.sort((a, b) => direction * (compare[q.sort](a, b) || collator.compare(a.name, b.name)));
}
