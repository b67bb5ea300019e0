import { Counter, Registry } from 'prom-client';

/** One registry per server instance (tests run several in one process). */
export function createMetrics() {
  const registry = new Registry();
  return {
    registry,
    cacheLookups: new Counter({
      name: 'sm_cache_lookups_total',
      help: 'Secret cache lookups by result (hit, miss, stale)',
      labelNames: ['kind', 'result'] as const,
      registers: [registry],
    }),
    cacheErrors: new Counter({
      name: 'sm_cache_errors_total',
      help: 'Cache operations that failed (the request went on without the cache)',
      labelNames: ['operation'] as const,
      registers: [registry],
    }),
    providerCalls: new Counter({
      name: 'sm_provider_calls_total',
      help: 'Calls made to secret manager providers, by outcome code',
      labelNames: ['provider', 'operation', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
