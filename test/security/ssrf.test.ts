/**
 * Attack: a tenant admin aims a connection at this server's own network — loopback in
 * every spelling, the cloud metadata service, private ranges, a name that resolves (or
 * re-resolves) to one of those, or a public-looking server that redirects there — to make
 * the server call it, echo its answers, scan its ports, or carry the connection's
 * credentials to it.
 *
 * It must not reach: any listener on a refused address (no connection, no byte), for every
 * provider and transport. It must not reveal: whether a refused port was open. Every case is
 * DESTINATION_NOT_ALLOWED. Positive controls show the listeners would have seen a connection
 * the operator allowed.
 */
import { lookup } from 'node:dns/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretManagerError } from '../../server/errors.ts';
import { createLogger } from '../../server/logger.ts';
import { awsAdapter } from '../../server/providers/aws/index.ts';
import { azureAdapter } from '../../server/providers/azure/index.ts';
import type { EgressGuard, ResolvedAddress } from '../../server/providers/egress/egress-guard.ts';
import { gcpAdapter } from '../../server/providers/gcp/index.ts';
import type { ProviderAdapter, ProviderClient } from '../../server/providers/types.ts';
import { vaultAdapter } from '../../server/providers/vault/index.ts';
import { sealConfig } from '../../server/services/connection-config.ts';
import { secretManagerConnections } from '../../server/db/schema/index.ts';
import { seedAwsDemo, startAwsEmulator } from '../emulators/aws/index.ts';
import { seedAzureDemo, startAzureEmulator } from '../emulators/azure/index.ts';
import { seedGcpDemo, startGcpEmulator } from '../emulators/gcp/index.ts';
import { createTestCertificates, type TestCertificates } from '../emulators/tls.ts';
import { seedVaultDemo, startVaultEmulator } from '../emulators/vault/index.ts';
import { rejection, startTestServer, type TestServer } from '../server/support/server.ts';
import { testEgress } from '../support/egress.ts';
import { startRecordingListener, type RecordingListener } from '../support/recording-listener.ts';

const TARGET_NAMES = ['vault', 'aws', 'azure', 'gcp (grpc)', 'gcp (rest)'] as const;

/** A provider (and transport) as the table drives it: its adapter and a working config re-aimed at `origin`. */
interface Target {
  name: (typeof TARGET_NAMES)[number];
  adapter: ProviderAdapter<never>;
  /** `scheme://host:port` (the scheme only matters to providers whose config is a URL). */
  at(origin: { scheme: 'http' | 'https'; host: string; port: number }): Record<string, unknown>;
  /** Plain HTTP, or HTTPS only (Azure, Google). */
  scheme: 'http' | 'https';
  /** Follows HTTP: has a redirect case. */
  http: boolean;
  canaries: string[];
}

/**
 * Names an attacker controls, answered by the test's resolver instead of DNS: loopback,
 * a mix of public and loopback (one refused address refuses the name), metadata, private.
 */
const ATTACKER_DNS: Record<string, string[]> = {
  'loopback.attacker.test': ['127.0.0.1'],
  'loopback6.attacker.test': ['::1'],
  'mixed.attacker.test': ['93.184.216.34', '127.0.0.1'],
  'metadata.attacker.test': ['169.254.169.254'],
  'internal.attacker.test': ['10.1.2.3'],
};

/** The attacker's names, and the system's resolver for every other (localhost, `0x7f.0.0.1`…). */
const attackerResolver = async (hostname: string): Promise<ResolvedAddress[]> => {
  const addresses = ATTACKER_DNS[hostname];
  if (!addresses) return lookup(hostname, { all: true, verbatim: true });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

/** Every spelling of this machine reaching the listener on 127.0.0.1 (or ::1), and the addresses behind which nothing may be asked. */
const LOOPBACK_SPELLINGS = ['127.0.0.1', 'localhost', '0.0.0.0', '127.1', '2130706433', '0x7f.0.0.1', '0177.0.0.1', '[::ffff:127.0.0.1]', 'loopback.attacker.test', 'mixed.attacker.test'];
const LOOPBACK6_SPELLINGS = ['[::1]', 'loopback6.attacker.test'];
const UNREACHABLE_BY_POLICY = [
  '169.254.169.254',
  '[::ffff:169.254.169.254]',
  '[fd00:ec2::254]',
  'metadata.attacker.test',
  '[fe80::1]',
  '10.0.0.1',
  '172.16.0.1',
  '192.168.1.1',
  '100.64.0.1',
  '[fd12:3456::1]',
  'internal.attacker.test',
  '224.0.0.1',
  '[::]',
];

const logs: string[] = [];
const logger = createLogger('trace', new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) }));
const policy = { allowAmbientCredentials: false, allowCustomHosts: true };
const clients: ProviderClient[] = [];
const closers: (() => Promise<unknown>)[] = [];

let targets: Target[];
let listener: RecordingListener;
let listener6: RecordingListener;
let tls: TestCertificates;

function connect(target: Target, config: Record<string, unknown>, egress: EgressGuard): ProviderClient {
  const client = (target.adapter as ProviderAdapter<Record<string, unknown>>).connect(config, { timeoutMs: 1_500, logger, policy, egress });
  clients.push(client);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<SecretManagerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SecretManagerError);
    return error as SecretManagerError;
  }
  throw new Error('expected the call to fail');
}

function untouched(...listeners: RecordingListener[]): void {
  for (const l of listeners) expect(l.seen(), `listener ${l.hostPort}`).toEqual({ connections: 0, bytes: 0 });
}

beforeAll(async () => {
  const [vault, aws, azure, gcp] = await Promise.all([startVaultEmulator(), startAwsEmulator(), startAzureEmulator(), startGcpEmulator()]);
  closers.push(() => vault.close(), () => aws.close(), () => azure.close(), () => gcp.close());
  const vaultToken = seedVaultDemo(vault).token;
  const awsDemo = seedAwsDemo(aws);
  const azureConfig = seedAzureDemo(azure).config;
  const gcpConfig = seedGcpDemo(gcp).config;
  tls = createTestCertificates();
  const gcpTarget = (transport: 'grpc' | 'rest'): Target => ({
    name: `gcp (${transport})` as const,
    adapter: gcpAdapter as ProviderAdapter<never>,
    at: ({ host, port }) => ({ ...gcpConfig, apiEndpoint: `${host}:${port}`, transport, caCert: tls.caCert }),
    scheme: 'https',
    http: transport === 'rest',
    canaries: [gcpConfig.serviceAccountKey],
  });
  targets = [
    {
      name: 'vault',
      adapter: vaultAdapter as ProviderAdapter<never>,
      at: ({ scheme, host, port }) => ({ authMethod: 'token', url: `${scheme}://${host}:${port}/some/prefix`, token: vaultToken, kvMount: 'secret', kvVersion: 2 }),
      scheme: 'http',
      http: true,
      canaries: [vaultToken],
    },
    {
      name: 'aws',
      adapter: awsAdapter as ProviderAdapter<never>,
      at: ({ scheme, host, port }) => ({ authMethod: 'accessKey', region: awsDemo.region, endpoint: `${scheme}://${host}:${port}`, accessKeyId: awsDemo.accessKeyId, secretAccessKey: awsDemo.secretAccessKey }),
      scheme: 'http',
      http: true,
      canaries: [awsDemo.secretAccessKey],
    },
    {
      name: 'azure',
      adapter: azureAdapter as ProviderAdapter<never>,
      at: ({ host, port }) => ({ ...azureConfig, vaultUrl: `https://${host}:${port}`, authorityHost: `https://${host}:${port}`, caCert: tls.caCert }),
      scheme: 'https',
      http: true,
      canaries: [azureConfig.clientSecret],
    },
    gcpTarget('grpc'),
    gcpTarget('rest'),
  ];
  listener = await startRecordingListener();
  listener6 = await startRecordingListener({ host: '::1' });
  closers.push(() => listener.close(), () => listener6.close());
}, 60_000);

// Each test starts with quiet listeners and leaves no client behind: a gRPC channel that a
// positive control allowed would otherwise keep reconnecting in the background.
beforeEach(() => {
  listener.reset();
  listener6.reset();
});
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await Promise.allSettled(closers.map((close) => close()));
});

describe.each(TARGET_NAMES)('SSRF table: %s', (name) => {
  const target = () => targets.find((t) => t.name === name)!;
  const defaultPolicy = () => testEgress('', attackerResolver);

  it('refuses loopback in every spelling, and names that resolve to it, without a packet reaching the listener', async () => {
    const cases = [
      ...LOOPBACK_SPELLINGS.map((host) => ({ host, port: listener.port })),
      ...LOOPBACK6_SPELLINGS.map((host) => ({ host, port: listener6.port })),
    ];
    for (const { host, port } of cases) {
      const error = await failure(connect(target(), target().at({ scheme: target().scheme, host, port }), defaultPolicy()).check());
      expect(error.code, `${target().name} → ${host}: ${error.message}`).toBe('DESTINATION_NOT_ALLOWED');
    }
    untouched(listener, listener6);
  });

  it('refuses metadata, link-local, private, multicast and unspecified addresses unless the operator lists them', async () => {
    for (const host of UNREACHABLE_BY_POLICY) {
      const port = target().scheme === 'https' ? 443 : 80;
      const error = await failure(connect(target(), target().at({ scheme: target().scheme, host, port }), defaultPolicy()).check());
      expect(error.code, `${target().name} → ${host}: ${error.message}`).toBe('DESTINATION_NOT_ALLOWED');
    }
  });

  it('gives the same answer for an open and a closed port (no port scanner)', async () => {
    const closed = await startRecordingListener();
    const closedPort = closed.port;
    await closed.close();
    const messageFor = async (port: number) => {
      const error = await failure(connect(target(), target().at({ scheme: target().scheme, host: '127.0.0.1', port }), defaultPolicy()).check());
      return { code: error.code, message: error.message.replaceAll(String(port), 'PORT'), hint: error.hint };
    };
    expect(await messageFor(listener.port)).toEqual(await messageFor(closedPort));
    untouched(listener);
  });

  it('reaches a private range or this machine only when the operator lists it (positive controls)', async () => {
    // Listed loopback: a listener there is reached (it hangs up, so the call itself fails).
    // A listener of its own, closed after: a gRPC channel may still reconnect to an address
    // it was allowed, a moment after it is closed.
    const listed = await startRecordingListener();
    try {
      await failure(connect(target(), target().at({ scheme: target().scheme, host: '127.0.0.1', port: listed.port }), testEgress(`127.0.0.1:${listed.port}`)).check());
      expect(listed.seen().connections).toBeGreaterThan(0);
    } finally {
      await listed.close();
    }
    // A listed network with its usual port: attempted (nothing answers there), so not refused.
    const port = target().scheme === 'https' ? 443 : 80;
    const attempted = await failure(connect(target(), target().at({ scheme: target().scheme, host: 'internal.attacker.test', port }), testEgress('10.0.0.0/8', attackerResolver)).check());
    expect(attempted.code).not.toBe('DESTINATION_NOT_ALLOWED');
    // The same network on another port is still refused: a listed network opens its usual ports only.
    const otherPort = await failure(connect(target(), target().at({ scheme: target().scheme, host: 'internal.attacker.test', port: 6379 }), testEgress('10.0.0.0/8', attackerResolver)).check());
    expect(otherPort.code).toBe('DESTINATION_NOT_ALLOWED');
  });

  it('checks every new connection: a name that re-resolves to loopback later is refused then', async () => {
    // An allowed address and a refused one on the same port: only the address decides.
    const allowed = await startRecordingListener({ host: '127.0.0.2', port: listener.port });
    try {
      let lookups = 0;
      const rebinding = async (): Promise<ResolvedAddress[]> => [{ address: lookups++ === 0 ? '127.0.0.2' : '127.0.0.1', family: 4 }];
      const client = connect(target(), target().at({ scheme: target().scheme, host: 'rebind.attacker.test', port: listener.port }), testEgress(`127.0.0.2:${listener.port}`, rebinding));
      await client.check().catch(() => undefined);
      expect(allowed.seen().connections).toBeGreaterThan(0);
      const later = await failure(client.check());
      expect(later.code, later.message).toBe('DESTINATION_NOT_ALLOWED');
      untouched(listener);
    } finally {
      await allowed.close();
    }
  });
});

describe('redirects', () => {
  /** A server the operator allows, answering every request with a redirect to `location`: one per scheme. */
  const redirectors: Partial<Record<'http' | 'https', number>> = {};
  let location = '';
  let allowedListener: RecordingListener;

  beforeAll(async () => {
    allowedListener = await startRecordingListener();
    closers.push(() => allowedListener.close());
    const redirect = (request: IncomingMessage, response: ServerResponse) => {
      request.resume();
      response.writeHead(307, { location, 'content-type': 'text/plain' }).end('moved');
    };
    const servers: Record<'http' | 'https', Server> = {
      http: createHttpServer(redirect),
      https: createHttpsServer({ key: tls.key, cert: tls.cert }, redirect),
    };
    for (const [scheme, server] of Object.entries(servers) as ['http' | 'https', Server][]) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      redirectors[scheme] = (server.address() as { port: number }).port;
      closers.push(() => new Promise((resolve) => server.close(resolve)));
    }
  });

  for (const to of ['refused', 'allowed'] as const) {
    it(`never follows a redirect to another origin (${to} by the policy), and never sends credentials after one`, async () => {
      for (const target of targets.filter((t) => t.http)) {
        const redirector = redirectors[target.scheme]!;
        const destination = to === 'refused' ? listener : allowedListener;
        location = `${target.scheme}://127.0.0.1:${destination.port}/v1/auth/token/lookup-self`;
        listener.reset();
        allowedListener.reset();
        // The redirector is allowed; so is the second listener in the 'allowed' case.
        const egress = testEgress([`127.0.0.1:${redirector}`, ...(to === 'allowed' ? [`127.0.0.1:${allowedListener.port}`] : [])].join(','));
        const error = await failure(connect(target, target.at({ scheme: target.scheme, host: '127.0.0.1', port: redirector }), egress).check());
        expect(error.code, `${target.name}: ${error.message}`).toBe('DESTINATION_NOT_ALLOWED');
        expect(error.message).toMatch(/redirect/);
        untouched(listener, allowedListener);
      }
    });
  }
});

describe('through the API (the reported attacks)', () => {
  let t: TestServer;

  beforeAll(async () => {
    // The operator's default: no allow-list.
    t = await startTestServer({ database: 'postgres', env: { SM_PROVIDER_ALLOWED_NETWORKS: '', SM_ALLOW_CUSTOM_PROVIDER_HOSTS: 'true' } });
  });
  afterAll(() => t?.stop());

  it('does not let secretManagers.test call an internal service or the metadata service', async () => {
    const { admin } = await t.newPlatform();
    listener.reset();
    for (const target of targets) {
      for (const origin of [
        { scheme: target.scheme, host: '127.0.0.1', port: listener.port },
        { scheme: target.scheme, host: '169.254.169.254', port: target.scheme === 'https' ? 443 : 80 },
      ]) {
        const { provider, authMethod, config } = apiForm(target, target.at(origin));
        const refused = await rejection(admin.secretManagers.test.mutate({ provider, authMethod, config }));
        expect(refused.data, `${target.name} → ${origin.host}`).toMatchObject({ httpStatus: 400, secretManagerCode: 'DESTINATION_NOT_ALLOWED' });
        for (const canary of target.canaries) expect(JSON.stringify(refused)).not.toContain(canary);
      }
    }
    untouched(listener);
  });

  it('does not let a saved connection that points inside the network resolve anything', async () => {
    const { admin, platformId } = await t.newPlatform();
    listener.reset();
    // A connection saved before the operator narrowed the policy, now aimed at an internal JSON service.
    const id = 'con_ssrf_saved_internal';
    const config = { authMethod: 'token', url: `http://127.0.0.1:${listener.port}/some/prefix`, token: 'hvs.saved', kvMount: 'anything', kvVersion: 1 };
    const sealed = sealConfig(t.keyRing, platformId, id, config);
    const now = new Date();
    await t.database.db.insert(secretManagerConnections).values({
      id,
      platformId,
      name: 'saved internal',
      provider: 'vault',
      authMethod: 'token',
      scope: 'PLATFORM',
      configCiphertext: sealed.ciphertext,
      keyVersion: sealed.keyVersion,
      createdBy: 'test',
      createdAt: now,
      updatedAt: now,
    });
    const result = await admin.secrets.resolve.mutate({ references: [`{{sm:${id}:anything/v1/sys#token}}`], onError: 'report' });
    expect(result).toMatchObject({ results: [{ ok: false, code: 'DESTINATION_NOT_ALLOWED' }] });
    untouched(listener);
    expect(logs.join('\n')).not.toContain('hvs.saved');
    expect(t.logs.join('\n')).not.toContain('hvs.saved');
  });
});

/** The config as the API takes it: the auth method beside it. */
function apiForm(target: Target, config: Record<string, unknown>) {
  const { authMethod, ...rest } = config as { authMethod: string };
  const provider = target.name.startsWith('gcp') ? 'gcp' : (target.name as 'vault' | 'aws' | 'azure');
  return { provider, authMethod, config: rest } as const;
}
