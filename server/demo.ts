import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { seedVaultDemo, startVaultEmulator } from '../test/emulators/vault/index.ts';
import { generateApiKeyToken } from './auth/api-key-token.ts';
import type { Config } from './config.ts';
import { loadKeyRing } from './crypto/key-source.ts';
import { openPglite } from './db/client.ts';
import { createLogger } from './logger.ts';
import { createServer } from './server.ts';
import { createConnection } from './services/connections.ts';
import { createApiKey, createPlatform } from './services/platforms.ts';
import { createProject } from './services/projects.ts';

/**
 * `npm run demo`: the product on embedded defaults, with provider emulators holding
 * demo secrets, a demo platform with two projects and one connection per provider.
 * The demo folder is reset at every start because the emulators keep their state in
 * memory: connections saved against yesterday's emulator would no longer work.
 */
export async function runDemo(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const dataDir = join(config.dataDir, 'demo');
  await rm(dataDir, { recursive: true, force: true });
  const database = await openPglite(dataDir);
  const keyRing = loadKeyRing(undefined, dataDir, logger).ring;
  const server = await createServer({ ...config, dataDir, bootstrapAdminToken: undefined }, { logger, database, keyRing });

  const vault = await startVaultEmulator();
  const vaultDemo = seedVaultDemo(vault);

  const { db } = database;
  const platform = await createPlatform(db, 'Demo platform');
  const admin = await createApiKey(db, { platformId: platform.id, role: 'admin', name: 'demo admin key', token: generateApiKeyToken() });
  const marketing = await createProject(db, platform.id, { name: 'Marketing automations', externalId: 'marketing' });
  await createProject(db, platform.id, { name: 'Billing flows', externalId: 'billing' });
  const engine = await createApiKey(db, { platformId: platform.id, role: 'engine', projectId: marketing.id, name: 'demo engine key' });

  const actor = { platformId: platform.id, actor: 'system:demo' };
  await createConnection(server.deps, actor, {
    name: 'Demo Vault',
    provider: 'vault',
    authMethod: 'approle',
    scope: 'PLATFORM',
    config: { url: vault.url, kvMount: 'secret', kvVersion: 2, roleId: vaultDemo.roleId, secretId: vaultDemo.secretId },
  });

  const url = await server.start();
  const stop = () =>
    void Promise.allSettled([server.stop(), vault.close()]).then(async () => {
      await database.close();
      process.exit(0);
    });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  process.stdout.write(
    [
      '',
      'Secret Managers demo is running.',
      '',
      `  Admin page:        ${url}/#token=${admin.token}`,
      `  tRPC API:          ${url}/trpc  (Authorization: Bearer ${admin.token})`,
      `  Engine key (Marketing automations): ${engine.token}`,
      `  Vault emulator:    ${vault.url}  (root token ${vault.rootToken})`,
      '',
      `  Try: curl -H 'Authorization: Bearer ${admin.token}' ${url}/trpc/secretManagers.list`,
      '',
      `Demo data lives in ${dataDir} and is reset at every start. Ctrl+C stops everything.`,
      '',
    ].join('\n'),
  );
}
