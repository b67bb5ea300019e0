import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../server/crypto/keyring.ts';
import { closedPort } from '../support/closed-port.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const cli = join(import.meta.dirname, '../../bin/secret-managers.js');
const processes: ChildProcess[] = [];
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const p of processes) p.kill('SIGKILL');
  await db?.drop();
});

interface Served {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `secret-managers serve` in a process of its own; its log lines (pino, JSON) go to stdout. */
async function serve(env: Record<string, string>): Promise<Served> {
  const port = await closedPort();
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { PATH: process.env.PATH!, PORT: String(port), LOG_LEVEL: 'warn', SM_ENCRYPTION_KEYS: KeyRing.generateKey(1), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  processes.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, port, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Bounded wait for something the process shows, failing with what it said so far. */
async function until(served: Served, what: string, condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await condition()) return;
    if (served.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen; stdout: ${served.stdout()} stderr: ${served.stderr()}`);
}

const attemptLines = (served: Served) =>
  served
    .stdout()
    .split('\n')
    .filter((line) => line.includes('database not available'))
    .map((line) => JSON.parse(line) as { msg: string; attempt: number; reason: string; stack?: unknown; err?: unknown });

async function ready(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) })).ok;
  } catch {
    return false;
  }
}

describe('start-up against a database that is not there yet', { timeout: 120_000 }, () => {
  it('tries again with one log line per attempt while the database refuses, and starts once it answers', async () => {
    const proxy = await TcpProxy.start(db.url, { refusing: true });
    try {
      const served = await serve({ DATABASE_URL: proxy.via(db.url) });
      await until(served, 'two failed attempts', () => attemptLines(served).length >= 2);
      await proxy.restore();
      await until(served, '/readyz answering 200', () => ready(served.port));

      const lines = attemptLines(served);
      lines.forEach((line, i) => {
        expect(line).toMatchObject({ attempt: i + 1, reason: 'connection refused' });
        expect(line.msg).toMatch(new RegExp(`^database not available \\(attempt ${i + 1}: connection refused\\); trying again for up to \\d+ s$`));
        expect(line.stack ?? line.err).toBeUndefined();
      });
      expect(served.stderr()).toBe('');
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('gives up after SM_DB_START_TIMEOUT_MS with one line naming the cause, and no stack', async () => {
    const proxy = await TcpProxy.start(db.url, { refusing: true });
    try {
      const served = await serve({ DATABASE_URL: proxy.via(db.url), SM_DB_START_TIMEOUT_MS: '2000' });
      expect(await served.exited).toBe(1);
      expect(served.stderr()).toBe('secret-managers: the database was not available within 2 s (SM_DB_START_TIMEOUT_MS): connection refused\n');
      expect(attemptLines(served).length).toBeGreaterThanOrEqual(1);
    } finally {
      await proxy.close();
    }
  });

  it('stops at once, in one line, when the database refuses for a reason waiting will not fix', async () => {
    const url = new URL(db.url);
    url.username = 'no_such_role';
    const served = await serve({ DATABASE_URL: url.toString() });
    expect(await served.exited).toBe(1);
    expect(served.stderr()).toBe('secret-managers: the database refused to start this server: role "no_such_role" does not exist\n');
    expect(attemptLines(served)).toEqual([]);
  });
});
