import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../server/db/client.ts';
import { rawRows } from './support/server.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/secret-managers.js');

async function secretManagers(args: string[], env: Record<string, string>) {
  try {
    // Each run boots TypeScript and an embedded PostgreSQL: seconds on a busy machine.
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH!, LOG_LEVEL: 'silent', ...env },
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sm-cli-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('secret-managers CLI', { timeout: 240_000 }, () => {
  it('stops with one line naming a bad variable', async () => {
    const result = await secretManagers(['serve'], { PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^secret-managers: PORT: /);
  });

  it('creates a platform and an API key on the embedded database', async () => {
    const env = { SM_DATA_DIR: dataDir };
    const platform = await secretManagers(['create-platform', '--name', 'Acme'], env);
    expect(platform.code).toBe(0);
    const platformId = platform.stdout.trim();
    expect(platformId).toMatch(/^plt_/);
    const key = await secretManagers(['create-api-key', '--platform', platformId, '--role', 'admin'], env);
    expect(key.code).toBe(0);
    expect(key.stdout.trim()).toMatch(/^smk_/);

    const bad = await secretManagers(['create-api-key', '--platform', platformId, '--role', 'root'], env);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('--role must be admin or engine') });
    const missing = await secretManagers(['create-api-key', '--platform', 'plt_none', '--role', 'admin'], env);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('No platform plt_none') });
  });

  it('revokes an API key by id, audited; a second revocation or a missing --id fails with a message', async () => {
    const env = { SM_DATA_DIR: dataDir };
    const platformId = (await secretManagers(['create-platform', '--name', 'Revokers'], env)).stdout.trim();
    const created = await secretManagers(['create-api-key', '--platform', platformId, '--role', 'engine'], env);
    const keyId = /API key (key_\w+) created/.exec(created.stderr)?.[1];
    expect(keyId).toMatch(/^key_/);

    const revoked = await secretManagers(['revoke-api-key', '--id', keyId!], env);
    expect(revoked).toMatchObject({ code: 0, stdout: `API key ${keyId} revoked.\n` });
    const again = await secretManagers(['revoke-api-key', '--id', keyId!], env);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining(`No active API key ${keyId}`) });
    expect((await secretManagers(['revoke-api-key'], env)).stderr).toContain('--id is required');

    const held = await openPglite(dataDir);
    try {
      const [key] = await rawRows<{ revoked_at: string | null }>(held, `select revoked_at from api_keys where id = '${keyId}'`);
      expect(key!.revoked_at).not.toBeNull();
      const audit = await rawRows<{ actor: string; action: string }>(held, `select actor, action from audit_events where target_id = '${keyId}'`);
      expect(audit).toEqual([{ actor: 'cli', action: 'api-key.revoke' }]);
    } finally {
      await held.close();
    }
  });

  it('refuses clearly to open an embedded database another process holds', async () => {
    const held = await openPglite(dataDir);
    try {
      const result = await secretManagers(['create-platform', '--name', 'Other'], { SM_DATA_DIR: dataDir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`in use by process ${process.pid}`);
      expect((await rawRows<{ name: string }>(held, 'select name from platforms order by created_at')).map((r) => r.name)).toEqual(['Acme', 'Revokers']);
    } finally {
      await held.close();
    }
  });

  it('rotates the embedded key ring (generated 0600 on first use): adds a key and re-encrypts under it', async () => {
    const keyFile = join(dataDir, 'encryption-keys');
    const first = await secretManagers(['rotate-keys'], { SM_DATA_DIR: dataDir });
    expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining('under key version 2') });
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const before = await readFile(keyFile, 'utf8');
    const second = await secretManagers(['rotate-keys'], { SM_DATA_DIR: dataDir });
    expect(second.stdout).toContain('under key version 3');
    const after = await readFile(keyFile, 'utf8');
    expect(after.trim().split(',')).toHaveLength(3);
    expect(after.trim().endsWith(before.trim())).toBe(true);
  });

  it('prints usage and refuses unknown commands', async () => {
    expect((await secretManagers(['help'], {})).stdout).toContain('create-api-key');
    expect((await secretManagers(['help'], {})).stdout).toContain('revoke-api-key --id ID');
    expect((await secretManagers(['frobnicate'], {})).code).toBe(1);
  });
});
