import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { demoEmulators, type DemoEmulator } from '../test/emulators/demo.ts';
import { generateApiKeyToken } from './auth/api-key-token.ts';
import type { Config } from './config.ts';
import { loadKeyRing } from './crypto/key-source.ts';
import { openPglite } from './db/client.ts';
import { createLogger } from './logger.ts';
import { createServer } from './server.ts';
import { createConnection } from './services/connections.ts';
import { createApiKey, createPlatform } from './services/platforms.ts';
import { createProject } from './services/projects.ts';
import { createEmbedKey } from './services/embed-keys.ts';
import { registerDemoHost } from './demo-host/routes.ts';

/**
 * `npm run demo`: the product on embedded defaults, with provider emulators holding
 * demo secrets, a demo platform with two projects and one connection per provider.
 * The demo folder is reset at every start because the emulators keep their state in
 * memory: connections saved against yesterday's emulator would no longer work.
 */
export async function runDemo(config: Config): Promise<void> {
  // Request logs would drown the banner; LOG_LEVEL still wins when set.
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn');
  const dataDir = join(config.dataDir, 'demo');
  await rm(dataDir, { recursive: true, force: true });
  const database = await openPglite(dataDir);
  const keyRing = loadKeyRing(undefined, dataDir, logger).ring;
  // The emulators listen on 127.0.0.1, which the default policy rightly refuses for tenants.
  const providerPolicy = { ...config.providerPolicy, allowCustomHosts: true };
  const server = await createServer({ ...config, dataDir, providerPolicy, bootstrapAdminToken: undefined }, { logger, database, keyRing });

  const emulators: [string, DemoEmulator][] = await Promise.all(
    Object.entries(demoEmulators).map(async ([id, start]) => [id, await start({})] as [string, DemoEmulator]),
  );

  const { db } = database;
  const platform = await createPlatform(db, 'Demo platform');
  const admin = await createApiKey(db, { platformId: platform.id, role: 'admin', name: 'demo admin key', token: generateApiKeyToken() });
  const marketing = await createProject(db, platform.id, { name: 'Marketing automations', externalId: 'marketing' });
  const billing = await createProject(db, platform.id, { name: 'Billing flows', externalId: 'billing' });
  const engine = await createApiKey(db, { platformId: platform.id, role: 'engine', projectId: marketing.id, name: 'demo engine key' });
  const billingEngine = await createApiKey(db, { platformId: platform.id, role: 'engine', projectId: billing.id, name: 'demo engine key (billing)' });
  const embedKey = await createEmbedKey(db, server.deps.keyRing, platform.id, { name: 'demo host', algorithm: 'HS256' });

  const actor = { platformId: platform.id, actor: 'system:demo' };
  for (const [, emulator] of emulators) {
    const { connection } = emulator;
    await createConnection(server.deps, actor, { ...connection, ...(connection.scope === 'PROJECT' && { projectIds: [marketing.id] }) });
  }

  let url = '';
  registerDemoHost(server.app, {
    apiUrl: () => url,
    embedKey: { id: embedKey.id, secret: embedKey.secret! },
    projects: [
      { id: marketing.id, name: marketing.name, engineToken: engine.token },
      { id: billing.id, name: billing.name, engineToken: billingEngine.token },
    ],
  });
  url = await server.start();
  const stop = () =>
    void Promise.allSettled([server.stop(), ...emulators.map(([, e]) => e.close())]).then(async () => {
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
      `  Admin page:  ${url}/#token=${admin.token}`,
      `  tRPC API:    ${url}/trpc  (Authorization: Bearer ${admin.token})`,
      `  Engine key of "Marketing automations": ${engine.token}`,
      `  A third-party host page using the key picker: ${url}/demo/`,
      '',
      ...emulators.flatMap(([id, e]) => [`  ${id} emulator: ${e.url}`, ...e.lines.map((l) => `    ${l}`)]),
      '',
      `  Try: curl -H 'Authorization: Bearer ${admin.token}' ${url}/trpc/secretManagers.list`,
      '',
      `Demo data lives in ${dataDir} and is reset at every start. Ctrl+C stops everything.`,
      '',
    ].join('\n'),
  );
}
