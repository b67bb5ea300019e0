/** The request pipeline: faults, routing, token and ACL checks, then the route's handler. */
import type { IncomingMessage, RequestListener } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { countRoute, takeInjectedFailure } from './faults.ts';
import {
  aclDenied,
  badRequest,
  errorReply,
  notFound,
  permissionDenied,
  readJsonBody,
  sendReply,
  VaultHttpError,
  type Reply,
} from './http.ts';
import { policiesAllow } from './policy.ts';
import { resolveRoute } from './router.ts';
import type { VaultState } from './state.ts';
import type { VaultFaults, VaultStats } from './types.ts';

interface Emulator {
  state: VaultState;
  faults: VaultFaults;
  stats: VaultStats;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Vault also accepts the token as `Authorization: Bearer`. */
function tokenOf(req: IncomingMessage): string | undefined {
  return header(req, 'x-vault-token') ?? header(req, 'authorization')?.replace(/^Bearer\s+/i, '');
}

function apiPathOf(pathname: string): string {
  if (!pathname.startsWith('/v1/')) throw notFound();
  try {
    return decodeURIComponent(pathname.slice('/v1/'.length));
  } catch {
    throw badRequest('invalid path encoding');
  }
}

async function answer(emulator: Emulator, req: IncomingMessage): Promise<Reply> {
  const { state, faults, stats } = emulator;
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://vault.invalid');
  const ns = state.namespace(header(req, 'x-vault-namespace'));
  const route = resolveRoute(ns, method, apiPathOf(url.pathname), url.searchParams);
  countRoute(stats, `${method} ${route.name}`);
  // Taken before the first await, so concurrent requests see a deterministic count-down.
  const injected = takeInjectedFailure(faults);
  if (injected) return injected;

  const ctx = { state, ns, stats, body: await readJsonBody(req) };
  if (route.acl === null) return route.handle(ctx);
  const token = state.resolveToken(ns, tokenOf(req));
  if (!token) throw permissionDenied();
  if (!policiesAllow(ns.policies, token.policies, route.acl.path, route.acl.capability)) throw aclDenied();
  return route.handle({ ...ctx, token });
}

export function requestListener(emulator: Emulator): RequestListener {
  const { faults, stats } = emulator;
  return async (req, res) => {
    stats.requests += 1;
    res.once('close', () => {
      if (!res.writableFinished) stats.abandoned += 1;
    });
    if (faults.dropConnections) {
      req.socket.destroy();
      return;
    }
    const reply = await answer(emulator, req).catch((err: unknown) =>
      errorReply(err instanceof VaultHttpError ? err : new VaultHttpError(500, [String(err)])),
    );
    if (faults.hang) return;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    sendReply(res, reply);
  };
}

/**
 * Node's HTTP parser rejects methods it does not know, such as Vault's `LIST`, before any
 * request handler runs. Say so in Vault's error format instead of Node's bare 400.
 */
export function explainClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const message =
    err.code === 'HPE_INVALID_METHOD'
      ? 'this emulator cannot serve the LIST method (Node rejects it); use GET with ?list=true, as Vault allows'
      : `bad request: ${err.message}`;
  const body = JSON.stringify({ errors: [message] });
  const head = [
    'HTTP/1.1 400 Bad Request',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
