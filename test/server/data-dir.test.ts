import { execFile, spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDataDir } from '../../server/db/data-dir.ts';
import { closedPort } from '../support/closed-port.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/secret-managers.js');
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sm-data-dir-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A shell whose umask lets everyone write everything, running `secret-managers <args>`. */
const umask000 = (args: string[]) => ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, cli, ...args];

async function underUmask000(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run('/bin/sh', umask000(args), { env: { PATH: process.env.PATH!, LOG_LEVEL: 'silent', ...env }, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Mode (e.g. "600") of the folder and of everything in it, by path relative to it. */
async function modes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>([['.', ((await lstat(dir)).mode & 0o777).toString(8)]]);
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry);
    out.set(relative(dir, path), ((await lstat(path)).mode & 0o777).toString(8));
  }
  return out;
}

async function waitForReady(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not become ready');
}

async function expectPrivate(dataDir: string): Promise<void> {
  const found = await modes(dataDir);
  expect(found.size).toBeGreaterThan(500); // PGlite's whole cluster, not just the folder
  expect(found.get('encryption-keys')).toBe('600');
  for (const [path, mode] of found) {
    const isDir = (await lstat(join(dataDir, path))).isDirectory();
    expect(`${path} ${mode}`).toBe(`${path} ${isDir ? '700' : '600'}`);
  }
}

describe('the embedded data folder', { timeout: 120_000 }, () => {
  it('is created 0700, with every file PGlite and the key ring wrote 0600, under umask 000: while serving and after', async () => {
    const dataDir = join(root, 'fresh', 'data');
    const port = await closedPort();
    const server = spawn('/bin/sh', umask000(['serve']), { env: { PATH: process.env.PATH!, LOG_LEVEL: 'silent', SM_DATA_DIR: dataDir, PORT: String(port) }, stdio: 'ignore' });
    const exited = new Promise((resolve) => server.once('exit', resolve));
    try {
      await waitForReady(port);
      await expectPrivate(dataDir);
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
    await expectPrivate(dataDir);
  });

  it('refuses to start on a folder others can write, in one line saying how to fix it', async () => {
    const dataDir = join(root, 'open');
    await mkdir(dataDir);
    await chmod(dataDir, 0o777);
    const refused = await underUmask000(['serve'], { SM_DATA_DIR: dataDir, PORT: '0' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `secret-managers: The data folder ${dataDir} can be written by other users (mode 0777): check that nothing in it was changed, then run \`chmod 700 ${dataDir}\`.\n`,
    );
    expect(await readdir(dataDir)).toEqual([]); // nothing was written
  });

  it('refuses a folder others can enter that holds a file they can change; tightens one they could only read', async () => {
    const tampered = join(root, 'tampered');
    await mkdir(join(tampered, 'pgdata'), { recursive: true });
    await writeFile(join(tampered, 'pgdata', 'PG_VERSION'), '17\n');
    await chmod(tampered, 0o755);
    await chmod(join(tampered, 'pgdata', 'PG_VERSION'), 0o666);
    expect(() => prepareDataDir(tampered)).toThrow(
      `The data folder ${tampered} holds files other users can change (pgdata/PG_VERSION is mode 0666): check that nothing in it was changed, then run \`chmod -R go-rwx ${tampered}\`.`,
    );

    await chmod(join(tampered, 'pgdata', 'PG_VERSION'), 0o644);
    prepareDataDir(tampered);
    expect(Object.fromEntries(await modes(tampered))).toEqual({ '.': '700', pgdata: '700', 'pgdata/PG_VERSION': '600' });

    // Behind a folder nobody else can enter, what a file allows is only tightened.
    await chmod(join(tampered, 'pgdata', 'PG_VERSION'), 0o666);
    prepareDataDir(tampered);
    expect((await modes(tampered)).get('pgdata/PG_VERSION')).toBe('600');
  });
});
