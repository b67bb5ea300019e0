import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKeyToken } from '../../server/auth/api-key-token.ts';
import { KeyRing } from '../../server/crypto/keyring.ts';
import { createApiKey } from '../../server/services/api-keys.ts';
import { listConnections } from '../../server/services/connections.ts';
import { rotateKeys } from '../../server/services/key-rotation.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { rejection, startTestServer, type ApiClient, type TestServer } from './support/server.ts';
import { corruptStoredConfig, sealUnderForeignKey } from './support/undecryptable.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

const current = KeyRing.generateKey(1);
/** A key this server never held: version 7, as if it were removed from SM_ENCRYPTION_KEYS too early. */
const removed = KeyRing.generateKey(7);

let t: TestServer;
let vault: VaultEmulator;
let readToken: string;

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  t = await startTestServer({ database: 'postgres', keyRing: KeyRing.parse(current) });
});
afterAll(async () => {
  await t?.stop();
  await vault?.close();
});

/** A platform with three Vault connections: one sealed under a key the ring lacks, one damaged, one sound. */
async function plant() {
  const { admin, platformId } = await t.newPlatform();
  const engine = t.client((await createApiKey(t.database.db, { platformId, role: 'engine', token: generateApiKeyToken() })).token);
  const create = (name: string) => admin.secretManagers.create.mutate({ name, provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) });
  const [lost, damaged, sound] = [await create('A lost key'), await create('B damaged'), await create('C sound')];
  await sealUnderForeignKey(t.database, lost.id, { authMethod: 'token', ...vaultTokenConfig(vault, readToken) }, KeyRing.parse(removed));
  await corruptStoredConfig(t.database, damaged.id);
  const ref = (c: { id: string }) => `{{sm:${c.id}:secret/app/db#password}}`;
  return { admin, engine, platformId, lost, damaged, sound, ref };
}

const byName = async (client: ApiClient) => Object.fromEntries((await client.secretManagers.list.query()).map((c) => [c.name, c]));

describe('a connection whose stored credentials cannot be decrypted', () => {
  it('lists as undecryptable with what to do, beside connections that list as usual', async () => {
    const { admin, engine } = await plant();
    const listed = await byName(admin);
    expect(Object.keys(listed)).toEqual(['A lost key', 'B damaged', 'C sound']);
    expect(listed['A lost key']).toMatchObject({ config: {}, canManage: true, status: { state: 'undecryptable', reason: 'missing-key' } });
    expect(listed['A lost key']!.status).toMatchObject({
      message: expect.stringContaining('key version 7'),
      hint: expect.stringMatching(/Add key version 7 back to SM_ENCRYPTION_KEYS.*rotate-keys/),
    });
    expect(listed['B damaged']!.status).toMatchObject({ state: 'undecryptable', reason: 'corrupted', hint: expect.stringContaining('Restore the connection from a database backup') });
    expect(listed['C sound']).toMatchObject({ config: { url: vault.url, token: { set: true } }, status: { state: 'connected' } });

    // Someone who cannot fix it learns that it cannot be used, not how the server's keys are kept.
    const seenByEngine = await byName(engine);
    expect(seenByEngine['A lost key']!.status).toEqual({
      state: 'undecryptable',
      reason: 'missing-key',
      message: 'The stored credentials cannot be decrypted.',
      hint: expect.stringContaining('An administrator can restore the encryption key'),
    });
    expect(JSON.stringify(seenByEngine)).not.toContain('SM_ENCRYPTION_KEYS');
  });

  it('answers get with a typed 409 and its hint; the others still answer', async () => {
    const { admin, lost, damaged, sound } = await plant();
    const missing = await rejection(admin.secretManagers.get.query({ id: lost.id }));
    expect(missing.message).toContain('key version 7');
    expect(missing.data).toMatchObject({ httpStatus: 409, secretManagerCode: 'CONNECTION_UNDECRYPTABLE', title: 'The stored credentials cannot be decrypted', hint: expect.stringContaining('rotate-keys') });
    const broken = await rejection(admin.secretManagers.get.query({ id: damaged.id }));
    expect(broken.data).toMatchObject({ httpStatus: 409, secretManagerCode: 'CONNECTION_UNDECRYPTABLE', hint: expect.stringContaining('Restore the connection') });
    await expect(admin.secretManagers.get.query({ id: sound.id })).resolves.toMatchObject({ name: 'C sound' });
    expect((await rejection(admin.secretManagers.test.mutate({ id: lost.id }))).data).toMatchObject({ httpStatus: 409, secretManagerCode: 'CONNECTION_UNDECRYPTABLE' });
  });

  it('fails resolution of its references only, with CONNECTION_UNDECRYPTABLE', async () => {
    const { engine, lost, damaged, sound, ref } = await plant();
    const report = await engine.secrets.resolve.mutate({ references: [ref(lost), ref(damaged), ref(sound)], onError: 'report' });
    expect(report.values).toEqual([null, null, 'vault-value-canary-7c1e']);
    expect(report.results!.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['CONNECTION_UNDECRYPTABLE', 'CONNECTION_UNDECRYPTABLE', 'ok']);
    const thrown = await rejection(engine.secrets.resolve.mutate({ references: [ref(lost)] }));
    expect(thrown.data).toMatchObject({ httpStatus: 409, secretManagerCode: 'CONNECTION_UNDECRYPTABLE' });
    expect(thrown.message).toContain(ref(lost));
  });

  it('takes a new config on update only with every credential again, and then works as before', async () => {
    const { admin, engine, lost, damaged, ref } = await plant();
    const rename = await rejection(admin.secretManagers.update.mutate({ id: lost.id, name: 'renamed' }));
    expect(rename.data).toMatchObject({ httpStatus: 409, secretManagerCode: 'CONNECTION_UNDECRYPTABLE' });
    const withoutToken = await rejection(admin.secretManagers.update.mutate({ id: lost.id, config: { url: vault.url, kvMount: 'secret', kvVersion: 2, token: { set: true } } }));
    expect(withoutToken.data).toMatchObject({ httpStatus: 400, secretManagerCode: 'CREDENTIALS_REQUIRED' });
    expect(withoutToken.data.zodError.issues).toEqual([{ path: 'config.token', message: 'Enter Token again: the stored value cannot be decrypted.' }]);

    const fixed = await admin.secretManagers.update.mutate({ id: lost.id, config: vaultTokenConfig(vault, readToken) });
    expect(fixed).toMatchObject({ id: lost.id, config: { token: { set: true } }, status: { state: 'connected' } });
    await expect(engine.secrets.resolve.mutate({ references: [ref(lost)] })).resolves.toEqual({ values: ['vault-value-canary-7c1e'] });
    // The damaged one is deleted like any other.
    await admin.secretManagers.delete.mutate({ id: damaged.id });
    expect(Object.keys(await byName(admin))).toEqual(['A lost key', 'C sound']);
  });

  // Rotation covers the whole database, so this comes last: afterwards this server's own key reads nothing.
  it('opens again once its key is back in the ring; rotate-keys then moves it to the newest key and reports what does not open', async () => {
    const { platformId, lost, damaged, sound } = await plant();
    const newest = KeyRing.generateKey(8);
    const restored = KeyRing.parse(`${newest},${current},${removed}`);
    const states = async (keyRing: KeyRing) =>
      Object.fromEntries((await listConnections({ ...t.server.deps, keyRing }, platformId, { manager: { platformId, actor: 'test', projectId: null } })).map((c) => [c.id, c.status.state]));
    expect((await states(restored))[lost.id]).not.toBe('undecryptable');

    const rotated = await rotateKeys(t.database.db, restored);
    expect(rotated.skipped).toContain(damaged.id);
    expect(rotated.skipped).not.toContain(lost.id);
    const underNewest = await states(KeyRing.parse(newest));
    expect([underNewest[lost.id], underNewest[sound.id], underNewest[damaged.id]]).toEqual(['connected', 'connected', 'undecryptable']);
  });
});
