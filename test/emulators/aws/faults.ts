/** Fault switches and request counters, both mutated freely by the tests that own the emulator. */
import type { AwsFaults, AwsStats } from './types.ts';
import { AwsError } from './wire.ts';

export function createFaults(): AwsFaults {
  return { latencyMs: 0, failNextRequests: 0, status5xx: 500, throttleNextRequests: 0, dropConnections: false };
}

export function createStats(): AwsStats {
  const stats: AwsStats = {
    requests: 0,
    byOperation: {},
    reset() {
      stats.requests = 0;
      // Cleared in place, so a test holding on to `byOperation` keeps seeing current counts.
      for (const key of Object.keys(stats.byOperation)) delete stats.byOperation[key];
    },
  };
  return stats;
}

/**
 * Consumes one injected failure, if any is left, in the error codes each protocol uses
 * (JSON services: ThrottlingException / InternalServiceError; Query: Throttling / InternalFailure).
 */
export function takeInjectedFailure(faults: AwsFaults, protocol: 'json' | 'query'): AwsError | undefined {
  if (faults.throttleNextRequests > 0) {
    faults.throttleNextRequests -= 1;
    return new AwsError(protocol === 'json' ? 'ThrottlingException' : 'Throttling', 'Rate exceeded');
  }
  if (faults.failNextRequests > 0) {
    faults.failNextRequests -= 1;
    const unavailable = faults.status5xx === 503;
    const code = protocol === 'json' ? (unavailable ? 'ServiceUnavailableException' : 'InternalServiceError') : unavailable ? 'ServiceUnavailable' : 'InternalFailure';
    return new AwsError(code, unavailable ? 'Service is unavailable' : 'An internal error occurred. Try again later.', faults.status5xx);
  }
  return undefined;
}
