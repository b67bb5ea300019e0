import { createTRPCClient, TRPCClientError, type TRPCClient, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '../server/routers/_app.ts';
import { settingsChanged } from './base/changes.ts';

/** The typed tRPC client the elements talk to the server with. */
export type SecretManagersClient = TRPCClient<AppRouter>;

export type TokenSource = () => string | null | undefined | Promise<string | null | undefined>;

export interface ClientOptions {
  /** Base URL of the Secret Managers server, e.g. `https://secrets.example.com`. Default: this page's origin. */
  url?: string;
  /** Called before every request, so a host can hand out fresh embed JWTs. */
  getToken?: TokenSource;
}

let pageDefaults: ClientOptions = {};
const clients = new Map<string, SecretManagersClient>();

/**
 * Page-wide defaults for every element that has no `api-url`/`token` of its own —
 * the way for hosts whose tokens expire and must be refreshed.
 */
export function configure(options: ClientOptions): void {
  pageDefaults = { ...options };
  clients.clear();
  settingsChanged();
}

/**
 * tRPC's plain-JSON HTTP protocol, one request per call: queries as GET with `?input=`,
 * mutations as POST. tRPC's own httpLink also speaks batching, streams, FormData and binary
 * bodies, none of which the elements send; this link is a third of its size in the bundle.
 */
function jsonLink(url: string, getToken: TokenSource | undefined): TRPCLink<AppRouter> {
  return () =>
    ({ op }) =>
      observable((observer) => {
        const aborter = new AbortController();
        const signal = op.signal ? AbortSignal.any([op.signal, aborter.signal]) : aborter.signal;
        const query = op.type === 'query';
        const input = op.input === undefined ? '' : JSON.stringify(op.input);
        void (async () => {
          const token = await getToken?.();
          const response = await fetch(`${url}/${op.path}${query && input ? `?input=${encodeURIComponent(input)}` : ''}`, {
            method: query ? 'GET' : 'POST',
            headers: { ...(!query && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
            ...(!query && input && { body: input }),
            signal,
          });
          const json = await response.json();
          const meta = { response, responseJSON: json };
          if (json.error) throw TRPCClientError.from(json, { meta });
          observer.next({ result: json.result, context: meta });
          observer.complete();
        })().catch((cause: unknown) => observer.error(TRPCClientError.from(cause as Error)));
        return () => aborter.abort();
      });
}

export function createClient({ url = '', getToken }: ClientOptions): SecretManagersClient {
  const client = createTRPCClient<AppRouter>({ links: [jsonLink(`${url.replace(/\/+$/, '')}/trpc`, getToken)] });
  // tRPC's client is a proxy that answers every property name, including those Lit reads
  // to spot directives and static values: hidden, so templates can pass it (`.client=${client}`).
  return new Proxy(client, { get: (target, key) => (typeof key === 'string' && key.startsWith('_$lit') ? undefined : Reflect.get(target, key)) });
}

/**
 * Whether `clientFor(…, token)` would send a token. Without one every call is refused, so
 * elements wait (for a `token`, or for `configure({ getToken })`) instead of asking.
 */
export function canAuthenticate(token: string | undefined): boolean {
  return token !== undefined || pageDefaults.getToken !== undefined;
}

/**
 * The client for an element's `api-url` and `token` (each falling back to `configure()`),
 * shared by every element with the same pair so a page makes one connection pool.
 */
export function clientFor(url: string | undefined, token: string | undefined): SecretManagersClient {
  const key = `${url ?? ''}\n${token ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    client = createClient({
      url: url ?? pageDefaults.url ?? '',
      getToken: token !== undefined ? () => token : pageDefaults.getToken,
    });
    clients.set(key, client);
  }
  return client;
}
