/**
 * An in-process emulator of Azure Key Vault (secrets) and the Entra ID token endpoint it
 * sends clients to, over HTTPS with a test CA, for tests that use the official
 * `@azure/keyvault-secrets` and `@azure/identity` unmodified. See /work/shared/PROVIDERS.md
 * ("Azure Key Vault") for what the SDK sends and expects.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createTestCertificates } from '../tls.ts';
import { createStats, requestListener } from './server.ts';
import { AccessRules, Directory, SecretStore } from './store.ts';
import { TokenIssuer } from './tokens.ts';
import type { AzureEmulator, AzureEmulatorOptions, AzureFaults } from './types.ts';

export type {
  AccessRule,
  ApplicationOptions,
  AzureEmulator,
  AzureEmulatorOptions,
  AzureFaults,
  AzureStats,
  SecretOptions,
} from './types.ts';
export { seedAzureDemo, type AzureDemo } from './demo.ts';
export { createClientCertificate, type ClientCertificate } from './client-certificate.ts';

export async function startAzureEmulator(options: AzureEmulatorOptions = {}): Promise<AzureEmulator> {
  const tls = options.tls ?? createTestCertificates();
  const directory = new Directory();
  const secrets = new SecretStore();
  const access = new AccessRules();
  const issuer = await TokenIssuer.create(options.tokenLifetimeSeconds ?? 3599);
  const faults: AzureFaults = { latencyMs: 0, failNextRequests: 0, status5xx: 503, retryAfterSeconds: 0, dropConnections: false };
  const stats = createStats();
  const closing = new AbortController();
  const tenant = { id: options.tenantId ?? randomUUID(), challenge: '' };
  tenant.challenge = tenant.id;
  directory.tenants.add(tenant.id);

  const server = createServer(
    { key: tls.key, cert: tls.cert },
    requestListener({
      directory,
      secrets,
      access,
      issuer,
      faults,
      stats,
      closing: closing.signal,
      tenantId: () => tenant.id,
      challengeTenantId: () => tenant.challenge,
      count: (operation) => {
        stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
      },
    }),
  );
  // A socket destroyed on arrival never gets to a request (TLS handshakes included).
  server.on('connection', (socket) => {
    if (faults.dropConnections) socket.destroy();
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    caCert: tls.caCert,
    tenantId: tenant.id,
    get challengeTenantId() {
      return tenant.challenge;
    },
    set challengeTenantId(value: string) {
      tenant.challenge = value;
    },
    faults,
    stats,
    addTenant: (tenantId) => void directory.tenants.add(tenantId),
    addApplication: (app) => directory.addApplication(app, tenant.id),
    setAccess: (clientId, rule) => access.set(clientId, rule),
    setSecret: (name, value, secretOptions) => secrets.set(name, value, secretOptions).version,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDK keeps connections alive; they would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
