/**
 * What every request goes through before its RPC runs, on either wire: counting, the
 * fault switches, then authentication.
 */
import { status } from '@grpc/grpc-js';
import { authenticate, type Caller } from './auth.ts';
import type { GcpState } from './state.ts';
import type { GcpFaults, GcpStats } from './types.ts';
import { RpcError } from './wire.ts';

/** Thrown instead of an answer when `dropConnections` destroyed the connection. */
export class Dropped extends Error {}

export interface Pipeline {
  run<T>(operation: string, authorization: string | undefined, rpc: (caller: Caller) => T): Promise<T>;
}

export function createFaults(): GcpFaults {
  return { latencyMs: 0, failNextRequests: 0, status5xx: 503, throttleNextRequests: 0, dropConnections: false };
}

export function createStats(): GcpStats {
  const stats: GcpStats = {
    requests: 0,
    byOperation: {},
    tokenRequests: 0,
    reset() {
      stats.requests = 0;
      stats.tokenRequests = 0;
      delete stats.lastJwt;
      // Cleared in place, so a test holding on to `byOperation` keeps seeing current counts.
      for (const key of Object.keys(stats.byOperation)) delete stats.byOperation[key];
    },
  };
  return stats;
}

/** The errors Google's front ends answer when a backend is down or a quota is used up. */
function injectedFailure(faults: GcpFaults): RpcError | undefined {
  if (faults.throttleNextRequests > 0) {
    faults.throttleNextRequests -= 1;
    return new RpcError(
      status.RESOURCE_EXHAUSTED,
      "Quota exceeded for quota metric 'Access requests' and limit 'Access requests per minute per project' of service 'secretmanager.googleapis.com'.",
    );
  }
  if (faults.failNextRequests > 0) {
    faults.failNextRequests -= 1;
    if (faults.status5xx === 500) return new RpcError(status.INTERNAL, 'Internal error encountered.');
    if (faults.status5xx === 504) return new RpcError(status.DEADLINE_EXCEEDED, 'Deadline expired before operation could complete.');
    return new RpcError(status.UNAVAILABLE, 'The service is currently unavailable.');
  }
  return undefined;
}

export function createPipeline(deps: {
  state: GcpState;
  faults: GcpFaults;
  stats: GcpStats;
  allowAnonymous: boolean;
  dropAllConnections: () => void;
}): Pipeline {
  const { state, faults, stats } = deps;
  return {
    async run(operation, authorization, rpc) {
      stats.requests += 1;
      stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
      if (faults.dropConnections) {
        deps.dropAllConnections();
        throw new Dropped();
      }
      if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs).unref());
      const failure = injectedFailure(faults);
      if (failure) throw failure;
      const caller = await authenticate(state, authorization, deps.allowAnonymous);
      if ('jwt' in caller) stats.lastJwt = caller.jwt;
      return rpc(caller);
    },
  };
}
