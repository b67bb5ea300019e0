import { Counter, Gauge, Registry } from 'prom-client';

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
    auditRowsWritten: new Counter({
      name: 'sm_audit_rows_written_total',
      help: 'Resolution audit events written to the database by the batching audit writer',
      registers: [registry],
    }),
    auditBatches: new Counter({
      name: 'sm_audit_batches_total',
      help: 'Multi-row audit inserts by outcome (written, failed: the rows stay queued and are retried)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    auditBuffered: new Gauge({
      name: 'sm_audit_buffered',
      help: 'Resolution audit events held in memory, not yet written (resolves are refused at SM_AUDIT_MAX_BUFFER)',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
