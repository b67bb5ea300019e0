import type { Database } from './client.ts';

/**
 * Whether the database answers a trivial query, known within `timeoutMs` whatever the
 * database does (a stalled one never answers; its queries are given up on later, see
 * StallWatchdog). Probes that arrive while one is in flight share it, so frequent probes
 * of a stalled database do not take up one pooled connection each.
 */
export function readinessProbe(database: Pick<Database, 'ping'>, timeoutMs: number): () => Promise<boolean> {
  let inFlight: Promise<boolean> | undefined;
  return async () => {
    inFlight ??= database.ping().then(
      () => true,
      () => false,
    );
    const ping = inFlight;
    void ping.finally(() => {
      if (inFlight === ping) inFlight = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(resolve, timeoutMs, false);
    });
    try {
      return await Promise.race([ping, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
}
