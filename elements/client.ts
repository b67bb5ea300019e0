import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
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

export function createClient({ url = '', getToken }: ClientOptions): SecretManagersClient {
  const client = createTRPCClient<AppRouter>({
    // One request per call: simpler failures than batching, and a smaller bundle.
    links: [
      httpLink({
        url: `${url.replace(/\/+$/, '')}/trpc`,
        async headers() {
          const token = await getToken?.();
          return token ? { authorization: `Bearer ${token}` } : {};
        },
      }),
    ],
  });
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
