/** Fault injection and request counters, both mutated freely by the tests that own the emulator. */
import type { Reply } from './http.ts';
import type { VaultFaults, VaultStats } from './types.ts';

export function createFaults(): VaultFaults {
  return { latencyMs: 0, failNextRequests: 0, status5xx: 503, dropConnections: false, hang: false };
}

/**
 * Consumes one injected failure, if any is left. The bodies are what Vault answers when it is
 * sealed (503) or when a standby cannot reach the active node (other 5xx).
 */
export function takeInjectedFailure(faults: VaultFaults): Reply | undefined {
  if (faults.failNextRequests <= 0) return undefined;
  faults.failNextRequests -= 1;
  const message =
    faults.status5xx === 503 ? 'Vault is sealed' : 'local node not active but active cluster node not found';
  return { status: faults.status5xx, body: { errors: [message] } };
}

export function createStats(): VaultStats {
  const stats: VaultStats = {
    requests: 0,
    logins: 0,
    renewals: 0,
    byRoute: {},
    abandoned: 0,
    reset() {
      stats.requests = 0;
      stats.logins = 0;
      stats.renewals = 0;
      stats.abandoned = 0;
      // Cleared in place, so a test holding on to `byRoute` keeps seeing current counts.
      for (const key of Object.keys(stats.byRoute)) delete stats.byRoute[key];
    },
  };
  return stats;
}

export function countRoute(stats: VaultStats, key: string): void {
  stats.byRoute[key] = (stats.byRoute[key] ?? 0) + 1;
}
