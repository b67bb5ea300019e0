/** The request pipeline: connection faults, counting, injected failures, then the authority or the vault. */
import type { IncomingMessage, RequestListener } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerAuthority, authorityRoute, type AuthorityContext } from './authority.ts';
import { sendReply, vaultError, type Reply } from './http.ts';
import type { AzureFaults, AzureStats } from './types.ts';
import { answerVault, vaultRoute, type VaultContext } from './vault.ts';

export interface EmulatorContext extends AuthorityContext, VaultContext {
  faults: AzureFaults;
  stats: AzureStats;
  /** Aborted by close(), so delayed answers stop waiting. */
  closing: AbortSignal;
}

export function createStats(): AzureStats {
  const stats: AzureStats = {
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
 * One injected failure, if any is left: what Key Vault answers when it throttles (429 or
 * 503 with Retry-After, https://learn.microsoft.com/azure/key-vault/general/overview-throttling)
 * or fails internally.
 */
function takeInjectedFailure(faults: AzureFaults): Reply | undefined {
  if (faults.failNextRequests <= 0) return undefined;
  faults.failNextRequests -= 1;
  const status = faults.status5xx;
  const throttled = status === 429 || status === 503;
  const headers = throttled ? { 'Retry-After': String(faults.retryAfterSeconds) } : undefined;
  return throttled
    ? vaultError(status, 'Throttled', 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached', undefined, headers)
    : vaultError(status, 'InternalServerError', 'An unexpected error occurred.');
}

async function answer(ctx: EmulatorContext, req: IncomingMessage): Promise<Reply> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'https://emulator.invalid');
  const fromAuthority = authorityRoute(method, url.pathname);
  if (fromAuthority) return answerAuthority(ctx, req, fromAuthority);
  const fromVault = vaultRoute(method, url.pathname);
  if (!fromVault) {
    ctx.count('unknown');
    return vaultError(404, 'NotFound', `No route for ${method} ${url.pathname}.`);
  }
  // Taken before the first await, so concurrent requests see a deterministic count-down.
  const injected = takeInjectedFailure(ctx.faults);
  if (injected) {
    ctx.count(fromVault.operation);
    return injected;
  }
  return answerVault(ctx, req, url, fromVault);
}

export function requestListener(ctx: EmulatorContext): RequestListener {
  return async (req, res) => {
    ctx.stats.requests += 1;
    if (ctx.faults.dropConnections) {
      req.socket.destroy();
      return;
    }
    const reply = await answer(ctx, req).catch((error: unknown) => vaultError(500, 'InternalServerError', String(error)));
    if (ctx.faults.latencyMs > 0) {
      try {
        await sleep(ctx.faults.latencyMs, undefined, { signal: ctx.closing });
      } catch {
        return;
      }
    }
    sendReply(res, reply);
  };
}
