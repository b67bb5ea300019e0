/**
 * The real server the browser tests talk to, in a process of its own (forked by
 * web-test-runner.config.mjs): PostgreSQL, Redis under a prefix of its own, a Vault
 * emulator and an AWS Secrets Manager emulator. The browser page calls it cross-origin,
 * as a host page would, so the test origin is allowed through SM_ALLOWED_ORIGINS.
 *
 * Protocol over the IPC channel: it sends `{ ready: { apiUrl, vault, aws } }` once, then answers
 * `{ id, command, payload }` with `{ id, result }` or `{ id, error }`.
 */
import { generateApiKeyToken } from '../../../server/auth/api-key-token.ts';
import { KeyRing } from '../../../server/crypto/keyring.ts';
import { createApiKey } from '../../../server/services/api-keys.ts';
import { seedAwsDemo, startAwsEmulator } from '../../emulators/aws/index.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../../server/support/redis.ts';
import { startTestServer } from '../../server/support/server.ts';
import { corruptStoredConfig, sealUnderForeignKey } from '../../server/support/undecryptable.ts';
import { startSeededVault } from '../../server/support/vault.ts';

const origin = process.env.SM_TEST_ORIGIN;
if (!origin || !process.send) throw new Error('start me through web-test-runner.config.mjs');

const prefix = testPrefix();
const [{ vault, readToken }, awsEmulator] = await Promise.all([startSeededVault(), startAwsEmulator()]);
const { region, endpoint, accessKeyId, secretAccessKey } = seedAwsDemo(awsEmulator);
const server = await startTestServer({
  database: 'postgres',
  // The AWS emulator is a custom endpoint, which production servers refuse by default.
  env: { SM_ALLOWED_ORIGINS: origin, REDIS_URL, SM_REDIS_KEY_PREFIX: prefix, SM_ALLOW_CUSTOM_PROVIDER_HOSTS: 'true' },
});

const commands: Record<string, (payload: Record<string, string>) => Promise<unknown> | unknown> = {
  /**
   * A platform of the test's own, so test files never see each other's connections, with
   * an engine key to resolve references as the host's engine would.
   */
  newPlatform: async () => {
    const { platformId, adminToken } = await server.newPlatform();
    const engine = await createApiKey(server.database.db, { platformId, role: 'engine', token: generateApiKeyToken() });
    return { adminToken, engineToken: engine.token };
  },
  /** Slows every Vault answer down, so a test can see what the UI shows while it waits. */
  vaultLatency: ({ ms }) => {
    vault.faults.latencyMs = Number(ms);
    return true;
  },
  /** Writes a KV v2 secret at `secret/<path>` (`data` is a JSON object): names to browse, values to rotate. */
  putSecret: ({ path, data }) => vault.putSecret('secret', path!, JSON.parse(data!) as Record<string, unknown>),
  /** A Vault token of the test's own (read-only, like the shared one), to revoke later. */
  vaultToken: () => vault.createToken({ policies: ['read-app'], ttlSeconds: 0 }),
  /** Revokes a Vault token, as an operator would: connections using it fail from now on. */
  revokeVaultToken: async ({ token }) => {
    const response = await fetch(`${vault.url}/v1/auth/token/revoke-self`, { method: 'POST', headers: { 'X-Vault-Token': token! } });
    if (!response.ok) throw new Error(`Vault did not revoke the token: ${response.status}`);
    return true;
  },
  /** Makes a saved connection's stored config undecryptable: sealed under a key version (7) the server lacks, or damaged. */
  breakConnection: async ({ id, how }) => {
    if (how === 'corrupted') await corruptStoredConfig(server.database, id!);
    else await sealUnderForeignKey(server.database, id!, { authMethod: 'token' }, KeyRing.parse(KeyRing.generateKey(7)));
    return true;
  },
  /** Whether any server log line contains `text` (tokens must never be logged). */
  logsContain: ({ text }) => server.logs.some((line) => line.includes(text!)),
};

process.on('message', async (message: { id: number; command: string; payload: Record<string, string> }) => {
  try {
    const run = commands[message.command];
    if (!run) throw new Error(`unknown command ${message.command}`);
    process.send!({ id: message.id, result: await run(message.payload ?? {}) });
  } catch (e) {
    process.send!({ id: message.id, error: String(e) });
  }
});

async function stop() {
  await Promise.allSettled([server.stop(), vault.close(), awsEmulator.close(), dropPrefix(prefix)]);
  process.exit(0);
}
process.on('disconnect', stop);
process.on('SIGTERM', stop);

process.send({ ready: { apiUrl: server.url, vault: { url: vault.url, readToken }, aws: { region, endpoint, accessKeyId, secretAccessKey } } });
