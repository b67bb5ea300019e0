import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createTRPCClient, httpLink } from '@trpc/client';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { generateApiKeyToken } from '../server/auth/api-key-token.ts';
import { KeyRing } from '../server/crypto/keyring.ts';
import { openPostgres } from '../server/db/client.ts';
import type { AppRouter } from '../server/routers/_app.ts';
import { createApiKey } from '../server/services/api-keys.ts';
import { createPlatform } from '../server/services/platforms.ts';
import { closedPort } from '../test/support/closed-port.ts';
import { startBareServer } from './bare-server.ts';
import { Cleanup } from './cleanup.ts';
import { atLeast, atMost, information, type Row } from './measure.ts';
import { startVaultProcess } from './vault-process.ts';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CONNECTIONS = 16;
const WARMUP_SECONDS = 1;
const SECONDS = 4;
/** Rounds of the three targets in turn, so that whatever else the machine does weighs on each alike. */
const ROUNDS = 3;

interface Load {
  requestsPerSecond: number;
  p99Ms: number;
  /** Answers other than 2xx, and requests that got none (errors, timeouts). */
  failed: number;
}

/**
 * Issue 13 over HTTP: the real server (a child process on PostgreSQL and Redis, as
 * deployed) answering `secrets.resolve` for one cached reference, exactly as an engine
 * calls it, against a bare Fastify route returning the same body, and the same route
 * after one Redis GET (the floor of any service in front of a cache).
 */
export async function benchHttp(): Promise<Row[]> {
  const cleanup = new Cleanup();
  try {
    const prefix = `sm-bench:${randomBytes(4).toString('hex')}:`;
    cleanup.add('remove the Redis keys', () => dropPrefix(prefix));
    const database = await createDatabase();
    cleanup.add('drop the database', () => database.drop());
    const vault = await startVaultProcess();
    cleanup.add("stop the bench's Vault", () => vault.close());
    await vault.seed([{ path: 'bench/http', data: { value: randomBytes(24).toString('base64') } }]);

    const port = await closedPort();
    const server = startServer({
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL,
      SM_REDIS_KEY_PREFIX: prefix,
      SM_ENCRYPTION_KEYS: KeyRing.generateKey(1),
      // The emulator listens on this machine's loopback, which the operator must allow.
      SM_PROVIDER_ALLOWED_NETWORKS: vault.url.replace('http://', ''),
      // Counted as in production, with limits no bench run reaches.
      SM_RATE_LIMIT_CALLS: '100000000',
      SM_RATE_LIMIT_RESOLVES: '100000000',
      LOG_LEVEL: 'info',
    });
    cleanup.add('stop the server', () => stopChild(server));
    const url = `http://127.0.0.1:${port}`;
    await untilHealthy(url, server);

    // Keys made the way the CLI makes them (the server has run its migrations by now).
    const db = await openPostgres(database.url);
    let adminToken: string;
    let engineToken: string;
    try {
      const platform = await createPlatform(db.db, 'bench');
      adminToken = (await createApiKey(db.db, { platformId: platform.id, role: 'admin', token: generateApiKeyToken() })).token;
      engineToken = (await createApiKey(db.db, { platformId: platform.id, role: 'engine', token: generateApiKeyToken() })).token;
    } finally {
      await db.close();
    }
    const admin = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${adminToken}` } })] });
    const connection = await admin.secretManagers.create.mutate({
      name: 'bench',
      provider: 'vault',
      authMethod: 'token',
      scope: 'PLATFORM',
      config: { url: vault.url, token: vault.rootToken, kvMount: 'secret', kvVersion: 2 },
    });

    // The engine's call, as its tRPC client sends it; the first one warms the cache.
    const request = {
      method: 'POST' as const,
      path: '/trpc/secrets.resolve',
      headers: { authorization: `Bearer ${engineToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ references: [`{{sm:${connection.id}:secret/bench/http#value}}`] }),
    };
    const first = await fetch(`${url}${request.path}`, request);
    const body = await first.text();
    if (first.status !== 200 || !(JSON.parse(body) as { result?: { data?: { values?: unknown[] } } }).result?.data?.values?.[0]) {
      throw new Error(`the bench's resolve call failed (HTTP ${first.status})`);
    }

    const redisKey = `${prefix}bare`;
    const redis = new Redis(REDIS_URL);
    await redis.set(redisKey, body);
    redis.disconnect();
    const bare = await startBareServer('bare', body, { url: REDIS_URL, key: redisKey });
    cleanup.add('stop the bare server', () => bare.close());
    const bareGet = await startBareServer('bare+get', body, { url: REDIS_URL, key: redisKey });
    cleanup.add('stop the bare+GET server', () => bareGet.close());

    const targets = { resolve: url, bare: bare.url, bareGet: bareGet.url };
    const runs: Record<keyof typeof targets, Load[]> = { resolve: [], bare: [], bareGet: [] };
    for (const target of Object.values(targets)) await load(target, request, WARMUP_SECONDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, target] of Object.entries(targets)) runs[name as keyof typeof targets].push(await load(target, request, SECONDS));
    }

    const resolve = median(runs.resolve);
    const baseline = median(runs.bare);
    const floor = median(runs.bareGet);
    const failed = runs.resolve.reduce((n, r) => n + r.failed, 0);
    const rps = (l: Load) => `${Math.round(l.requestsPerSecond)} req/s`;
    const ms = (l: Load) => `${l.p99Ms.toFixed(1)} ms`;
    const setting = `${CONNECTIONS} connections, median of ${ROUNDS} × ${SECONDS} s`;
    // A resolve that fails answers fast: any answer other than 2xx fails the targeted rows.
    const answered = failed === 0 ? '' : `, ${failed} NOT 2xx`;
    return [
      { measure: `HTTP secrets.resolve, 1 cached reference, vs bare Fastify route, throughput (${setting}${answered})`, ours: rps(resolve), baseline: rps(baseline), ...atLeast(resolve.requestsPerSecond / baseline.requestsPerSecond, 0.5, failed === 0) },
      { measure: `HTTP secrets.resolve vs bare Fastify route, p99 latency${answered}`, ours: ms(resolve), baseline: ms(baseline), ...atMost(resolve.p99Ms / baseline.p99Ms, 3, failed === 0) },
      { measure: 'HTTP bare route + one ioredis GET vs bare route, throughput (the floor)', ours: rps(floor), baseline: rps(baseline), ...information(floor.requestsPerSecond / baseline.requestsPerSecond) },
    ];
  } finally {
    await cleanup.run();
  }
}

async function load(url: string, request: { method: 'POST'; path: string; headers: Record<string, string>; body: string }, seconds: number): Promise<Load> {
  const result = await autocannon({ url: `${url}${request.path}`, method: request.method, headers: request.headers, body: request.body, connections: CONNECTIONS, duration: seconds });
  return { requestsPerSecond: result.requests.total / seconds, p99Ms: result.latency.p99, failed: result.non2xx + result.errors + result.timeouts };
}

/** The median round by throughput, and the median p99 on its own. */
function median(loads: Load[]): Load {
  const middle = <T>(values: T[], by: (v: T) => number) => [...values].sort((a, b) => by(a) - by(b))[Math.floor(values.length / 2)]!;
  return { requestsPerSecond: middle(loads, (l) => l.requestsPerSecond).requestsPerSecond, p99Ms: middle(loads, (l) => l.p99Ms).p99Ms, failed: loads.reduce((n, l) => n + l.failed, 0) };
}

/**
 * The server as deployed: `tsx server/cli.ts serve` (npm start), configured by its
 * environment. BENCH_CPU_PROF=<folder> has it write a CPU profile there when it stops.
 */
function startServer(env: Record<string, string>): ChildProcess {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // Its request log goes nowhere, but is written as in production.
  return spawn(process.execPath, [...profile, '--import', 'tsx', 'server/cli.ts', 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function untilHealthy(url: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode})`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not answer /healthz within 30 s');
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    // It closes its connections first; one that hangs is killed.
    const hung = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(hung), resolve()));
    child.kill('SIGTERM');
  });
}

async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A database of the bench's own, named so that one left by a killed run is recognised. */
async function createDatabase(): Promise<{ url: string; drop(): Promise<unknown> }> {
  const name = `sm_bench_${randomBytes(6).toString('hex')}`;
  const admin = (run: (sql: postgres.Sql) => Promise<unknown>) => {
    const sql = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
    return run(sql).finally(() => sql.end());
  };
  await admin((sql) => sql.unsafe(`create database ${name}`));
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin((sql) => sql.unsafe(`drop database if exists ${name} with (force)`)) };
}
