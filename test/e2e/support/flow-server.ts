import { Writable } from 'node:stream';
import { loadConfig } from '../../../server/config.ts';
import { KeyRing } from '../../../server/crypto/keyring.ts';
import { seedDemoTenant } from '../../../server/demo-host/tenant.ts';
import { openPostgres } from '../../../server/db/client.ts';
import { createLogger } from '../../../server/logger.ts';
import { createServer } from '../../../server/server.ts';
import { seedAwsDemo, startAwsEmulator } from '../../emulators/aws/index.ts';
import { seedVaultDemo, startVaultEmulator, type VaultEmulator } from '../../emulators/vault/index.ts';
import { createTestDatabase } from '../../server/support/database.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../../server/support/redis.ts';
import { LOOPBACK_NETWORKS } from '../../support/egress.ts';

export interface FlowServer {
  url: string;
  adminToken: string;
  projects: { a: { id: string; name: string }; b: { id: string; name: string } };
  vault: VaultEmulator;
  /** The read-only token of the Vault demo policy (read and list under secret/). */
  vaultToken: string;
  aws: { region: string; endpoint: string; accessKeyId: string; secretAccessKey: string };
  /** Every log line the server wrote. */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * The product as a host runs it, for the whole-flow test: the server on real PostgreSQL
 * and Redis, the Vault and AWS emulators with their demo secrets, a platform with two
 * projects (and no connection yet: the admin creates them in the test), and the demo
 * host (its page and backend) mounted on it.
 */
export async function startFlowServer(options: { allowedOrigins?: string[] } = {}): Promise<FlowServer> {
  const testDb = await createTestDatabase();
  const database = await openPostgres(testDb.url);
  const prefix = testPrefix();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  // The emulators listen on 127.0.0.1, which the default policy rightly refuses for tenants.
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'info',
    REDIS_URL,
    SM_REDIS_KEY_PREFIX: prefix,
    SM_ALLOW_CUSTOM_PROVIDER_HOSTS: 'true',
    SM_PROVIDER_ALLOWED_NETWORKS: LOOPBACK_NETWORKS,
    ...(options.allowedOrigins && { SM_ALLOWED_ORIGINS: options.allowedOrigins.join(',') }),
  });
  const server = await createServer(config, { logger: createLogger('info', sink), database, keyRing: KeyRing.parse(KeyRing.generateKey(1)) });
  const [vault, aws] = await Promise.all([startVaultEmulator(), startAwsEmulator()]);
  const vaultDemo = seedVaultDemo(vault);
  const awsDemo = seedAwsDemo(aws);

  let url = '';
  const tenant = await seedDemoTenant(server.app, database.db, server.deps.keyRing, { platformName: 'Flowly', apiUrl: () => url, embed: config.embed });
  const [a, b] = tenant.projects;
  url = await server.start();

  return {
    url,
    adminToken: tenant.adminToken,
    projects: { a: { id: a.id, name: a.name }, b: { id: b.id, name: b.name } },
    vault,
    vaultToken: vaultDemo.token,
    aws: { region: awsDemo.region, endpoint: awsDemo.endpoint, accessKeyId: awsDemo.accessKeyId, secretAccessKey: awsDemo.secretAccessKey },
    logs,
    async stop() {
      await server.stop();
      await Promise.allSettled([vault.close(), aws.close(), database.close()]);
      await Promise.allSettled([testDb.drop(), dropPrefix(prefix)]);
    },
  };
}
