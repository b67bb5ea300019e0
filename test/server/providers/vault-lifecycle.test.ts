/**
 * The Vault adapter's token lifecycle (one login, renewal, re-login, expiry) and its
 * behaviour when the network or the server misbehaves: refused, unresolvable, slow,
 * failing, dropping, TLS. Also the shared retry helper on its own.
 */
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VaultConfig } from '../../../shared/providers/vault.ts';
import { Deadline, DeadlineExceededError, withRetry } from '../../../server/providers/retry.ts';
import type { ProviderClient } from '../../../server/providers/types.ts';
import { vaultAdapter } from '../../../server/providers/vault/index.ts';
import { createTestCertificates } from '../../emulators/tls.ts';
import { startVaultEmulator, type VaultEmulator } from '../../emulators/vault/index.ts';
import { failureCollector } from './failures.ts';
import { testEgress } from '../../support/egress.ts';

const logger = pino({ level: 'silent' });
/** The operator's policy: Vault is always a custom host. */
const providerPolicy = { allowAmbientCredentials: false, allowCustomHosts: true };
const credentials: string[] = [];
const { messages, failure } = failureCollector();
const clients: ProviderClient[] = [];

let vault: VaultEmulator;
let readerToken: string;

function connect(config: VaultConfig, timeoutMs = 3_000): ProviderClient {
  if (config.authMethod === 'token') credentials.push(config.token);
  if (config.authMethod === 'approle') credentials.push(config.secretId);
  const client = vaultAdapter.connect(config, { timeoutMs, logger, policy: providerPolicy, egress: testEgress() });
  clients.push(client);
  return client;
}

const tokenConfig = (token: string, url = vault.url): VaultConfig => ({ authMethod: 'token', url, token, kvMount: 'secret', kvVersion: 2 });

function appRoleClient(tokenTtlSeconds?: number): ProviderClient {
  const { roleId, secretId } = vault.createAppRole(`role-${clients.length}`, { policies: ['reader'], ...(tokenTtlSeconds ? { tokenTtlSeconds } : {}) });
  return connect({ authMethod: 'approle', url: vault.url, roleId, secretId, kvMount: 'secret', kvVersion: 2 });
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SECRET = { name: 'secret/app/db', key: 'password' };

beforeAll(async () => {
  vault = await startVaultEmulator();
  vault.enableKv('secret', 2);
  vault.putSecret('secret', 'app/db', { password: 'canary-lifecycle' });
  vault.writePolicy('reader', [{ path: 'secret/data/*', capabilities: ['read'] }]);
  vault.enableAppRole();
  readerToken = vault.createToken({ policies: ['reader'] });
});

afterEach(() => {
  vi.useRealTimers();
  Object.assign(vault.faults, { latencyMs: 0, failNextRequests: 0, status5xx: 503, dropConnections: false });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await vault.close();
  expect(messages.length).toBeGreaterThan(10);
  for (const message of messages) {
    for (const secret of [...credentials, 'canary-lifecycle']) expect(message).not.toContain(secret);
  }
});

describe('token lifecycle', () => {
  it('logs in once, for concurrent first reads and for many reads after', async () => {
    const client = appRoleClient();
    vault.stats.reset();
    const values = await Promise.all(Array.from({ length: 10 }, () => client.read(SECRET)));
    expect(new Set(values.map((v) => v.value))).toEqual(new Set(['canary-lifecycle']));
    for (let i = 0; i < 5; i++) await client.read(SECRET);
    expect(vault.stats.logins).toBe(1);
  });

  it('renews AppRole and user tokens in the background before they expire', async () => {
    const approle = appRoleClient(3);
    const token = connect(tokenConfig(vault.createToken({ policies: ['reader'], ttlSeconds: 3 })));
    await Promise.all([approle.read(SECRET), token.read(SECRET)]);
    vault.stats.reset();
    await sleep(3_500); // longer than the TTL: both tokens would have expired without renewal
    await Promise.all([approle.read(SECRET), token.read(SECRET)]);
    expect(vault.stats.renewals).toBeGreaterThanOrEqual(2);
    expect(vault.stats.logins).toBe(0);
  });

  it('logs in again, transparently, once an AppRole token has expired', async () => {
    const client = appRoleClient(60);
    await client.read(SECRET);
    vi.setSystemTime(Date.now() + 61_000);
    vault.stats.reset();
    expect((await client.read(SECRET)).value).toBe('canary-lifecycle');
    expect(vault.stats.logins).toBe(1);
  });

  it('fails with AUTHENTICATION_FAILED once a user token has expired', async () => {
    const client = connect(tokenConfig(vault.createToken({ policies: ['reader'], ttlSeconds: 60 })));
    await client.read(SECRET);
    vi.setSystemTime(Date.now() + 61_000);
    expect((await failure(client.read(SECRET), 'AUTHENTICATION_FAILED')).message).toContain('expired');
  });

  it('stops renewing when the max TTL caps the renewal, and uses the token until then', async () => {
    const start = Date.now();
    const client = connect(tokenConfig(vault.createToken({ policies: ['reader'], ttlSeconds: 60, maxTtlSeconds: 90 })));
    await client.read(SECRET);
    vault.stats.reset();
    vi.setSystemTime(start + 45_000); // past two thirds of the TTL: renewed, but only up to 90 s
    await client.read(SECRET);
    vi.setSystemTime(start + 80_000);
    await client.read(SECRET);
    expect(vault.stats.renewals).toBe(1);
    vi.setSystemTime(start + 91_000);
    await failure(client.read(SECRET), 'AUTHENTICATION_FAILED');
  });

  it('tells a revoked token (AUTHENTICATION_FAILED) from a policy denial', async () => {
    const first = await startVaultEmulator({ rootToken: 'hvs.canary-root-token' });
    const { port } = new URL(first.url);
    first.enableKv('secret', 2);
    first.putSecret('secret', 'app/db', { password: 'canary-lifecycle' });
    const client = connect(tokenConfig('hvs.canary-root-token', first.url));
    await client.read(SECRET);
    await first.close();
    // The same address, but a server that never issued this token.
    const second = await startVaultEmulator({ port: Number(port) });
    second.enableKv('secret', 2);
    try {
      await failure(client.read(SECRET), 'AUTHENTICATION_FAILED');
    } finally {
      await second.close();
    }
  });
});

describe('network and server faults', () => {
  it('reports a closed port as CONNECTION_FAILED', async () => {
    const server = createNetServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const error = await failure(connect(tokenConfig(readerToken, `http://127.0.0.1:${port}`)).read(SECRET), 'CONNECTION_FAILED');
    expect(error.message).toContain('refused');
  });

  it('reports an unresolvable host as CONNECTION_FAILED', async () => {
    await failure(connect(tokenConfig(readerToken, 'http://vault.invalid:8200')).read(SECRET), 'CONNECTION_FAILED');
  });

  it('gives up on a slow server within the budget', async () => {
    const client = connect(tokenConfig(readerToken), 500);
    vault.faults.latencyMs = 2_000;
    const started = Date.now();
    const error = await failure(client.read(SECRET), 'CONNECTION_FAILED');
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(error.message).toContain('did not answer within 0.5 s');
  });

  it('retries a 5xx and succeeds, but never retries a 4xx', async () => {
    const client = connect(tokenConfig(readerToken));
    await client.read(SECRET);
    vault.stats.reset();
    vault.faults.failNextRequests = 1;
    expect((await client.read(SECRET)).value).toBe('canary-lifecycle');
    expect(vault.stats.byRoute['GET kv-read']).toBe(2);

    vault.stats.reset();
    await failure(client.read({ name: 'secret/app/missing' }), 'SECRET_NOT_FOUND');
    expect(vault.stats.byRoute['GET kv-read']).toBe(1);
  });

  it('reports a 5xx that outlasts the retries as PROVIDER_ERROR with Vault’s words', async () => {
    const client = connect(tokenConfig(readerToken));
    await client.read(SECRET);
    vault.stats.reset();
    vault.faults.failNextRequests = 5;
    const error = await failure(client.read(SECRET), 'PROVIDER_ERROR');
    expect(error.message).toContain('Vault is sealed');
    expect(vault.stats.byRoute['GET kv-read']).toBe(3);
  });

  it('reports dropped connections as CONNECTION_FAILED', async () => {
    const client = connect(tokenConfig(readerToken));
    vault.faults.dropConnections = true;
    await failure(client.read(SECRET), 'CONNECTION_FAILED');
  });
});

describe('TLS', () => {
  let caCert: string;
  let proxy: HttpsServer;
  let httpsUrl: string;

  beforeAll(async () => {
    const certificates = createTestCertificates();
    caCert = certificates.caCert;
    // A TLS front for the emulator, as a load balancer with a private CA would be.
    proxy = createHttpsServer(certificates, (req, res) => {
      const upstream = httpRequest(`${vault.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    httpsUrl = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => proxy.close(resolve)));

  it('trusts a private CA given as PEM', async () => {
    const client = connect({ ...tokenConfig(readerToken, httpsUrl), caCert });
    expect((await client.read(SECRET)).value).toBe('canary-lifecycle');
  });

  it('explains an untrusted certificate, a bad CA and TLS spoken to a plain HTTP server', async () => {
    const untrusted = await failure(connect(tokenConfig(readerToken, httpsUrl)).read(SECRET), 'CONNECTION_FAILED');
    expect(untrusted.message).toContain('TLS');
    expect(untrusted.hint).toContain('CA certificate');
    const badCa = connect({ ...tokenConfig(readerToken, httpsUrl), caCert: 'not a certificate' });
    expect((await failure(badCa.read(SECRET), 'CONNECTION_FAILED')).message).toContain('CA certificate of this connection cannot be used');
    const plain = await failure(connect(tokenConfig(readerToken, vault.url.replace('http:', 'https:'))).read(SECRET), 'CONNECTION_FAILED');
    expect(plain.message).toContain('does not speak TLS');
  });
});

describe('a caller that gives up', () => {
  it('does not fail the login it shared with another read: that read still gets its value, after one login', async () => {
    const client = appRoleClient();
    vault.stats.reset();
    vault.faults.latencyMs = 300;
    const leaving = new AbortController();
    const first = client.read(SECRET, leaving.signal);
    const second = client.read(SECRET);
    await vi.waitFor(() => expect(vault.stats.requests).toBe(1)); // the login both wait for
    leaving.abort(new Error('the first caller left'));
    await expect(first).rejects.toThrow('the first caller left');
    await expect(second).resolves.toMatchObject({ value: 'canary-lifecycle' });
    expect(vault.stats.logins).toBe(1);
  });
});

describe('withRetry', () => {
  const transient = (e: unknown) => e === 'transient';

  it('retries transient failures up to the attempt limit, and nothing else', async () => {
    let calls = 0;
    const flaky = () => (++calls < 3 ? Promise.reject('transient') : Promise.resolve('ok'));
    await expect(withRetry(flaky, { deadline: new Deadline(5_000), isTransient: transient, baseDelayMs: 1 })).resolves.toBe('ok');
    calls = 0;
    await expect(withRetry(() => (++calls, Promise.reject('final')), { deadline: new Deadline(5_000), isTransient: transient })).rejects.toBe('final');
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetry(() => (++calls, Promise.reject('transient')), { deadline: new Deadline(5_000), isTransient: transient, baseDelayMs: 1 })).rejects.toBe('transient');
    expect(calls).toBe(3);
  });

  it('stops at the deadline even when the operation hangs, aborting its signal', async () => {
    let signal: AbortSignal | undefined;
    const started = Date.now();
    const hanging = withRetry((attempt) => ((signal = attempt.signal), new Promise(() => {})), { deadline: new Deadline(100), isTransient: transient });
    await expect(hanging).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - started).toBeLessThan(500);
    expect(signal?.aborted).toBe(true);
  });

  it("stops at once when the caller's signal aborts, with its reason, aborting the attempt and retrying nothing", async () => {
    const caller = new AbortController();
    const attempts: AbortSignal[] = [];
    const hanging = withRetry((attempt) => (attempts.push(attempt.signal), new Promise(() => {})), { deadline: new Deadline(60_000, { signal: caller.signal }), isTransient: () => true });
    caller.abort(new Error('the call failed elsewhere'));
    await expect(hanging).rejects.toThrow('the call failed elsewhere');
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.aborted).toBe(true);
    await expect(withRetry(() => Promise.resolve('never asked'), { deadline: new Deadline(60_000, { signal: caller.signal }), isTransient: () => true })).rejects.toThrow('the call failed elsewhere');
  });

});
