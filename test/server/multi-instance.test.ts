import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKeyToken } from '../../server/auth/api-key-token.ts';
import { KeyRing } from '../../server/crypto/keyring.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { closedPort } from '../support/closed-port.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { dropPrefix, REDIS_URL, testPrefix } from './support/redis.ts';
import { apiClient, rejection } from './support/server.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';
import { LOOPBACK_NETWORKS } from '../support/egress.ts';

const cli = join(import.meta.dirname, '../../bin/secret-managers.js');
const prefix = testPrefix();
const adminToken = `bootstrap-${generateApiKeyToken()}`;
let db: TestDatabase;
let vault: VaultEmulator;
let readToken: string;
const processes: ChildProcess[] = [];
/** The two instances the first test starts; the tests after it reuse them. */
let instances: [string, string] | undefined;

/** A real `secret-managers serve` process; resolves to its base URL once it is ready. */
async function serve(env: Record<string, string>): Promise<string> {
  const port = await closedPort();
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { PATH: process.env.PATH!, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  processes.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return url;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready');
}

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  vault.putSecret('secret', 'app/shared', { value: 'one' });
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  for (const p of processes) p.kill('SIGKILL');
  await vault?.close();
  await db?.drop();
  await dropPrefix(prefix);
});

describe('several server instances on one PostgreSQL and one Redis', () => {
  it('see a cache clear made through another instance at once', async () => {
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      SM_REDIS_KEY_PREFIX: prefix,
      SM_ENCRYPTION_KEYS: KeyRing.generateKey(1),
      SM_BOOTSTRAP_ADMIN_TOKEN: adminToken,
      SM_PROVIDER_ALLOWED_NETWORKS: LOOPBACK_NETWORKS,
    };
    // Started together: migrations and bootstrap must not trip over each other.
    const [a, b] = await Promise.all([serve(env), serve(env)]);
    instances = [a, b];
    const onA = apiClient(a, adminToken);
    const onB = apiClient(b, adminToken);
    const connection = await onA.secretManagers.create.mutate({ name: 'shared', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) });
    const reference = `{{sm:${connection.id}:secret/app/shared}}`;
    const resolveOnB = async () => (await onB.secrets.resolve.mutate({ references: [reference] })).values![0];

    expect(await resolveOnB()).toBe('one');
    vault.putSecret('secret', 'app/shared', { value: 'two' });
    expect(await resolveOnB()).toBe('one');
    const cleared = await fetch(`${a}/api/v1/secret-managers/cache?connectionId=${connection.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(cleared.status).toBe(204);
    expect(await resolveOnB()).toBe('two');
    expect((await onB.secretManagers.list.query()).map((c) => c.name)).toEqual(['shared']);
  }, 60_000);

  it('refuse an API key revoked through another instance from the next request on', async () => {
    const [a, b] = instances!;
    const key = await apiClient(a, adminToken).apiKeys.create.mutate({ name: 'short-lived engine', role: 'engine' });
    const onB = apiClient(b, key.token);
    await expect(onB.secretManagers.list.query()).resolves.toEqual(expect.any(Array));
    await apiClient(a, adminToken).apiKeys.revoke.mutate({ id: key.id });
    // No wait, no retry: the very next request on the other instance is refused.
    expect((await rejection(onB.secretManagers.list.query())).data.httpStatus).toBe(401);
    const raw = await fetch(`${b}/trpc/secretManagers.list`, { headers: { authorization: `Bearer ${key.token}` } });
    expect(raw.status).toBe(401);
  });
});
