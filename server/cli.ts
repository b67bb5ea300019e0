import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { addKeyToFile, loadKeyRing } from './crypto/key-source.ts';
import { KeyRing, KeyRingError } from './crypto/keyring.ts';
import { openDatabase, type Database } from './db/client.ts';
import { DataDirPermissionError } from './db/data-dir.ts';
import { DataDirBusyError } from './db/data-dir-lock.ts';
import { unavailabilityOf } from './db/errors.ts';
import { DatabaseStartError } from './db/startup.ts';
import { AppError } from './errors.ts';
import { RedisGenerations } from './invalidation/generations.ts';
import { createLogger } from './logger.ts';
import { createServer } from './server.ts';
import { recordAudit } from './services/audit.ts';
import { rotateKeys } from './services/key-rotation.ts';
import { createApiKey, revokeApiKey } from './services/api-keys.ts';
import { createPlatform } from './services/platforms.ts';

const usage = `Usage: secret-managers <command> [options]

Commands:
  serve                                   Start the server (PORT, DATABASE_URL, … from the environment)
  demo                                    Start the server on an in-memory database with provider emulators and demo data
  emulator <vault|aws|azure|gcp> --port N [--root-token T]
                                          Start a provider emulator with demo secrets
  create-platform --name N                Create a platform; prints its id
  create-api-key --platform ID --role admin|engine [--project ID] [--name N]
                                          Create an API key; prints the token once
  revoke-api-key --id ID                  Revoke an API key: every instance refuses it from its next request
  rotate-keys                             Re-encrypt every stored credential under the newest key
                                          (embedded mode: first adds a new key to the data folder)
  generate-key [--version N]              Print a new key for SM_ENCRYPTION_KEYS`;

function fail(message: string): never {
  process.stderr.write(`secret-managers: ${message}\n`);
  process.exit(1);
}

async function withDatabase<T>(config: Config, run: (db: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(config);
  try {
    return await run(database);
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      platform: { type: 'string' },
      role: { type: 'string' },
      project: { type: 'string' },
      port: { type: 'string' },
      'root-token': { type: 'string' },
      version: { type: 'string' },
      id: { type: 'string' },
    },
  });

  switch (command) {
    case 'serve': {
      const config = loadConfig();
      const server = await createServer(config);
      const url = await server.start();
      server.deps.logger.info({ url, database: config.databaseUrl ? 'postgres' : `embedded (${config.dataDir})` }, 'secret-managers listening');
      const stop = () => void server.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return;
    }
    case 'demo': {
      const { runDemo } = await import('./demo.ts');
      await runDemo(loadConfig());
      return;
    }
    case 'emulator': {
      const provider = positionals[0];
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be a port number');
      const { demoEmulators, isDemoProvider } = await import('../test/emulators/demo.ts');
      if (!isDemoProvider(provider)) fail(`unknown emulator "${provider ?? ''}"; available: ${Object.keys(demoEmulators).join(', ')}`);
      const emulator = await demoEmulators[provider]({ port, ...(values['root-token'] && { rootToken: values['root-token'] }) });
      process.stdout.write(`${provider} emulator on ${emulator.url}\n${emulator.lines.map((l) => `  ${l}\n`).join('')}`);
      return;
    }
    case 'create-platform': {
      if (!values.name) fail('--name is required');
      const config = loadConfig();
      const platform = await withDatabase(config, ({ db }) => createPlatform(db, values.name!));
      process.stdout.write(`${platform.id}\n`);
      return;
    }
    case 'create-api-key': {
      if (!values.platform) fail('--platform is required');
      if (values.role !== 'admin' && values.role !== 'engine') fail('--role must be admin or engine');
      const config = loadConfig();
      const key = await withDatabase(config, ({ db }) =>
        createApiKey(db, {
          platformId: values.platform!,
          role: values.role as 'admin' | 'engine',
          projectId: values.project ?? null,
          ...(values.name && { name: values.name }),
        }),
      );
      process.stdout.write(`${key.token}\n`);
      process.stderr.write(`API key ${key.id} created. The token above is shown once; store it now.\n`);
      return;
    }
    case 'revoke-api-key': {
      if (!values.id) fail('--id is required (the key id, key_…, not its token)');
      const config = loadConfig();
      await withDatabase(config, async ({ db }) => {
        // The operator's way out, so unlike apiKeys.revoke it may revoke a platform's last admin key.
        const key = await revokeApiKey(db, values.id!);
        await recordAudit(db, { platformId: key.platformId, actor: 'cli', action: 'api-key.revoke', targetType: 'api-key', targetId: values.id!, outcome: 'success', details: { name: key.name, role: key.role } });
      });
      await tellRunningServers(config);
      process.stdout.write(`API key ${values.id} revoked.\n`);
      return;
    }
    case 'rotate-keys': {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      const source = loadKeyRing(config.encryptionKeys, config.dataDir, logger);
      const result = await withDatabase(config, async ({ db }) => {
        // Embedded mode owns its key file, so it adds the new key itself; with
        // SM_ENCRYPTION_KEYS the operator puts the new key first before running this.
        const ring = source.file ? addKeyToFile(source) : source.ring;
        return { ...(await rotateKeys(db, ring)), version: ring.currentVersion };
      });
      process.stdout.write(`Re-encrypted ${result.connections} connection(s) and ${result.embedKeys} embed key(s) under key version ${result.version}.\n`);
      if (result.skipped.length > 0) {
        // Not done: an operator's script must not go on to remove the old key.
        fail(
          `${result.skipped.length} stored value(s) could not be decrypted and stay under their old key: ${result.skipped.join(', ')}. ` +
            'Put their key back into SM_ENCRYPTION_KEYS and run rotate-keys again, or enter those connections\' credentials again (embed keys: create new ones).',
        );
      }
      return;
    }
    case 'generate-key': {
      const version = values.version === undefined ? 1 : Number(values.version);
      if (!Number.isInteger(version) || version < 1) fail('--version must be a positive whole number');
      process.stdout.write(`${KeyRing.generateKey(version)}\n`);
      return;
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${usage}\n`);
      return;
    default:
      fail(`unknown command "${command}"\n\n${usage}`);
  }
}

/**
 * Running servers keep principals in memory: through Redis they drop them at once;
 * without it they read the database again within SM_AUTH_CACHE_SECONDS.
 */
async function tellRunningServers(config: Config): Promise<void> {
  if (!config.redisUrl) {
    process.stderr.write(`No REDIS_URL: running servers refuse the key within ${config.authCacheSeconds} s (SM_AUTH_CACHE_SECONDS).\n`);
    return;
  }
  // Queues the command until connected (unlike a server's fail-fast client); gives up after a few tries.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 2000 }).on('error', () => {});
  try {
    await new RedisGenerations(redis, config.cache.keyPrefix, createLogger(config.logLevel)).bump(['auth']);
  } finally {
    redis.disconnect();
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof DataDirBusyError || e instanceof DataDirPermissionError || e instanceof DatabaseStartError || e instanceof AppError) {
    fail(e.message);
  }
  if (e instanceof KeyRingError) fail(`SM_ENCRYPTION_KEYS: ${e.message}`);
  const unavailable = unavailabilityOf(e);
  if (unavailable !== undefined) fail(`the database is not available: ${unavailable}`);
  throw e;
});
