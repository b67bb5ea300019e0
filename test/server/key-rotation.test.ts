import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../server/crypto/keyring.ts';
import { rotateKeys } from '../../server/services/key-rotation.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { rawRows, startTestServer, type TestServer } from './support/server.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

const v1 = KeyRing.generateKey(1);
const v2 = KeyRing.generateKey(2);

let t: TestServer;
let vault: VaultEmulator;
let readToken: string;

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  t = await startTestServer({ database: 'postgres', keyRing: KeyRing.parse(v1) });
});
afterAll(async () => {
  await t?.stop();
  await vault?.close();
});

const versions = async () =>
  (await rawRows<{ key_version: number }>(t.database, 'select key_version from secret_manager_connections union all select key_version from embed_signing_keys where key_version is not null')).map((r) => r.key_version);

describe('key rotation', () => {
  it('re-encrypts every credential under the newest key, resumably, while old rows stay readable', async () => {
    const { admin } = await t.newPlatform();
    for (const name of ['one', 'two', 'three']) {
      await admin.secretManagers.create.mutate({ name, provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) });
    }
    await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
    expect(await versions()).toEqual([1, 1, 1, 1]);
    const before = await rawRows<{ config_ciphertext: string }>(t.database, 'select config_ciphertext from secret_manager_connections');

    const ring = KeyRing.parse(`${v2},${v1}`);
    expect(await rotateKeys(t.database.db, ring, { batchSize: 2 })).toEqual({ connections: 3, embedKeys: 1, skipped: [] });
    expect(await versions()).toEqual([2, 2, 2, 2]);
    const after = await rawRows<{ config_ciphertext: string }>(t.database, 'select config_ciphertext from secret_manager_connections');
    expect(after.map((r) => r.config_ciphertext)).not.toEqual(expect.arrayContaining(before.map((r) => r.config_ciphertext)));

    // A second run has nothing left to do, and a server holding only the new key reads every row.
    expect(await rotateKeys(t.database.db, ring)).toEqual({ connections: 0, embedKeys: 0, skipped: [] });
    const { listConnections } = await import('../../server/services/connections.ts');
    const deps = { ...t.server.deps, keyRing: KeyRing.parse(v2) };
    const platformId = (await rawRows<{ platform_id: string }>(t.database, 'select platform_id from secret_manager_connections limit 1'))[0]!.platform_id;
    const listed = await listConnections(deps, platformId, { manager: { platformId, actor: 'test', projectId: null } });
    expect(listed.map((c) => c.config.token)).toEqual([{ set: true }, { set: true }, { set: true }]);
  });
});
