import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { demoEmulators, type DemoEmulator } from '../test/emulators/demo.ts';
import type { Config } from './config.ts';
import { loadKeyRing } from './crypto/key-source.ts';
import { openPglite } from './db/client.ts';
import { createLogger } from './logger.ts';
import { parseAllowRules } from './providers/egress/egress-policy.ts';
import { createServer } from './server.ts';
import { createConnection } from './services/connections.ts';
import { seedDemoTenant } from './demo-host/tenant.ts';

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
  const emulators: [string, DemoEmulator][] = await Promise.all(
    Object.entries(demoEmulators).map(async ([id, start]) => [id, await start({})] as [string, DemoEmulator]),
  );
  // The emulators listen on 127.0.0.1, which the default policy rightly refuses for tenants:
  // the demo allows their own hosts and ports, and nothing else of this machine.
  const providerPolicy = { ...config.providerPolicy, allowCustomHosts: true };
  const allowedNetworks = [...config.allowedNetworks, ...parseAllowRules(emulators.map(([, e]) => new URL(e.url).host).join(',')).rules];
  const server = await createServer({ ...config, dataDir, providerPolicy, allowedNetworks, bootstrapAdminToken: undefined }, { logger, database, keyRing });

  let url = '';
  const tenant = await seedDemoTenant(server.app, database.db, server.deps.keyRing, { platformName: 'Demo platform', apiUrl: () => url, embed: config.embed });
  const [marketing] = tenant.projects;
  const actor = { platformId: tenant.platformId, actor: 'system:demo', projectId: null };
  for (const [, emulator] of emulators) {
    const { connection } = emulator;
    await createConnection(server.deps, actor, { ...connection, ...(connection.scope === 'PROJECT' && { projectIds: [marketing.id] }) });
  }

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
      `  Admin page:  ${url}/#token=${tenant.adminToken}`,
      `  tRPC API:    ${url}/trpc  (Authorization: Bearer ${tenant.adminToken})`,
      `  Engine key of "Marketing automations": ${marketing.engineToken}`,
      `  A third-party host page using the key picker: ${url}/demo/`,
      '',
      ...emulators.flatMap(([id, e]) => [`  ${id} emulator: ${e.url}`, ...e.lines.map((l) => `    ${l}`)]),
      '',
      `  Try: curl -H 'Authorization: Bearer ${tenant.adminToken}' ${url}/trpc/secretManagers.list`,
      '',
      `Demo data lives in ${dataDir} and is reset at every start. Ctrl+C stops everything.`,
      '',
    ].join('\n'),
  );
}
