import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../server/crypto/keyring.ts';
import { openPostgres, type Database } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { createMetrics, type Metrics } from '../../server/metrics.ts';
import { AuditWriter } from '../../server/services/audit-writer.ts';
import type { AuditEvent } from '../../server/services/audit.ts';
import { createPlatform } from '../../server/services/platforms.ts';
import { appRouter } from '../../server/routers/_app.ts';
import { authenticateRequest, createContextInner } from '../../server/trpc/context.ts';
import { createCallerFactory } from '../../server/trpc/init.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { closedPort } from '../support/closed-port.ts';
import { LOOPBACK_NETWORKS } from '../support/egress.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { apiClient, rawRows, rejection, startTestServer, type ApiClient, type TestServer } from './support/server.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

const CANARY = 'audit-canary-value-5f2b';

let vault: VaultEmulator;
let readToken: string;

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  vault.putSecret('secret', 'app/canary', { value: CANARY });
});
afterAll(async () => {
  await vault?.close();
});

/** Waits for `condition`, polling: timing is only ever "eventually" here. */
async function eventually(what: string, condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not happen`);
}

async function resolveRows(database: Database, platformId: string): Promise<number> {
  const [row] = await rawRows<{ n: string }>(database, `select count(*) as n from audit_events where platform_id = '${platformId}' and action = 'secrets.resolve'`);
  return Number(row!.n);
}

async function metricValue(metrics: Metrics, name: 'auditRowsWritten' | 'auditBatches' | 'auditBuffered', labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metrics[name].get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k as keyof typeof v.labels] === l)).reduce((sum, v) => sum + v.value, 0);
}

/** A platform with an engine key and a Vault connection whose `canary` secret is the canary. */
async function engineWithConnection(admin: ApiClient, client: (token: string) => ApiClient) {
  const engineToken = (await admin.apiKeys.create.mutate({ name: 'engine', role: 'engine' })).token;
  const connection = await admin.secretManagers.create.mutate({ name: 'Vault', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) });
  return { engine: client(engineToken), engineToken, connectionId: connection.id, reference: `{{sm:${connection.id}:secret/app/canary#value}}` };
}

describe('batching in a running server', () => {
  it('writes 250 concurrent resolves as exactly 250 rows in far fewer INSERTs, the last batch on a graceful stop', async () => {
    const t = await startTestServer({ database: 'postgres' });
    try {
      const { admin, platformId } = await t.newPlatform();
      const { engineToken, reference } = await engineWithConnection(admin, t.client);
      // The server's own router in process: the same procedure and context, without HTTP's cost per call.
      const { deps } = t.server;
      const engine = createCallerFactory(appRouter)(createContextInner(deps, await authenticateRequest(deps, `Bearer ${engineToken}`)));
      const calls = 250;
      const answers = await Promise.all(Array.from({ length: calls }, () => engine.secrets.resolve({ references: [reference] })));
      expect(answers.every((a) => a.values?.[0] === CANARY)).toBe(true);

      await t.server.stop();
      expect(await resolveRows(t.database, platformId)).toBe(calls);
      const { metrics } = t.server.deps;
      expect(await metricValue(metrics, 'auditRowsWritten')).toBe(calls);
      expect(await metricValue(metrics, 'auditBatches', { outcome: 'failed' })).toBe(0);
      expect(await metricValue(metrics, 'auditBuffered')).toBe(0);
      // One INSERT per batch, counted by the writer as it issues them.
      const inserts = await metricValue(metrics, 'auditBatches', { outcome: 'written' });
      expect(inserts).toBeGreaterThanOrEqual(1);
      expect(inserts).toBeLessThanOrEqual(calls / 5);
    } finally {
      await t.stop();
    }
  });
});

describe('a server process stopped with SIGTERM', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('writes every resolve it answered before it exits', async () => {
    const port = await closedPort();
    const adminToken = `bootstrap-admin-${'x'.repeat(24)}`;
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/secret-managers.js'), 'serve'], {
      env: {
        PATH: process.env.PATH!,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DATABASE_URL: db.url,
        SM_ENCRYPTION_KEYS: KeyRing.generateKey(1),
        SM_BOOTSTRAP_ADMIN_TOKEN: adminToken,
        SM_PROVIDER_ALLOWED_NETWORKS: LOOPBACK_NETWORKS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += String(chunk)));
    child.stderr!.on('data', (chunk) => (output += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = `http://127.0.0.1:${port}`;
      await eventually('the server answering /readyz', async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true);
      const { engine, reference } = await engineWithConnection(apiClient(url, adminToken), (token) => apiClient(url, token));
      const calls = 40;
      const answers = await Promise.all(Array.from({ length: calls }, () => engine.secrets.resolve.mutate({ references: [reference] })));
      child.kill('SIGTERM');
      expect(answers.every((a) => a.values?.[0] === CANARY)).toBe(true);
      expect(await exited, output).toBe(0);

      const database = await openPostgres(db.url);
      try {
        const [row] = await rawRows<{ n: string }>(database, `select count(*) as n from audit_events where action = 'secrets.resolve'`);
        expect(Number(row!.n)).toBe(calls);
      } finally {
        await database.close();
      }
      expect(output).not.toContain(CANARY);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('a database that refuses audit rows', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ database: 'postgres', env: { SM_AUDIT_MAX_BUFFER: '5' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('fails resolves closed with 503 AUDIT_UNAVAILABLE once the buffer is full, and writes the buffered rows once it accepts them again', async () => {
    const { admin, adminToken, platformId } = await t.newPlatform();
    const { engine, connectionId, reference } = await engineWithConnection(admin, t.client);
    // Only resolution rows are refused: the changes' own audit rows still commit.
    await t.database.db.execute(`
      create function refuse_resolution_audit() returns trigger language plpgsql as $$
      begin
        if new.action = 'secrets.resolve' then raise exception 'test refuses resolution audit rows'; end if;
        return new;
      end $$;
      create trigger refuse_resolution_audit before insert on audit_events for each row execute function refuse_resolution_audit();
    `);

    for (let i = 0; i < 3; i++) expect((await engine.secrets.resolve.mutate({ references: [reference] })).values).toEqual([CANARY]);
    // Two more fit: of three at once, whichever find the buffer full, at the start or at the end, hand out nothing.
    const racing = await Promise.allSettled(Array.from({ length: 3 }, () => engine.secrets.resolve.mutate({ references: [reference] })));
    expect(racing.filter((r) => r.status === 'fulfilled').map((r) => r.value.values)).toEqual([[CANARY], [CANARY]]);
    for (const refused of racing.filter((r) => r.status === 'rejected')) {
      expect((refused.reason as { data: unknown }).data).toMatchObject({ httpStatus: 503, secretManagerCode: 'AUDIT_UNAVAILABLE' });
      expect(JSON.stringify(refused.reason)).not.toContain(CANARY);
    }
    expect(t.server.deps.audit.buffered).toBe(5);

    const refused = await fetch(`${t.url}/trpc/secrets.resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ references: [reference], onError: 'report' }),
    });
    const body = await refused.text();
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(body).not.toContain(CANARY);
    expect(body).not.toMatch(/audit_events|trigger|refuses resolution|insert|postgres/i);
    const { error } = JSON.parse(body) as { error: { message: string; data: Record<string, unknown> } };
    expect(error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503, secretManagerCode: 'AUDIT_UNAVAILABLE', title: 'Secrets cannot be resolved right now' });
    expect(error.message).toBe('Secrets are not being resolved right now: their use cannot be recorded in the audit trail. Try again shortly.');

    // What does not resolve goes on.
    await expect(engine.secrets.check.query({ connectionId, path: 'secret/app/canary' })).resolves.toMatchObject({ exists: true });
    expect((await admin.secretManagers.list.query()).map((c) => c.id)).toEqual([connectionId]);
    await expect(admin.apiKeys.create.mutate({ name: 'another', role: 'engine' })).resolves.toMatchObject({ role: 'engine' });

    // The window may not have ended yet: the rows are refused at least once before the database takes them.
    await eventually('a batch refused', async () => (await metricValue(t.server.deps.metrics, 'auditBatches', { outcome: 'failed' })) > 0);
    await t.database.db.execute('drop trigger refuse_resolution_audit on audit_events');
    await eventually('the buffered rows written', async () => (await resolveRows(t.database, platformId)) === 5);
    expect((await engine.secrets.resolve.mutate({ references: [reference] })).values).toEqual([CANARY]);
    await t.flushAudit();
    expect(await resolveRows(t.database, platformId)).toBe(6);

    const logs = t.logs.join('\n');
    expect(logs.match(/audit events cannot be written/g)).toHaveLength(1);
    expect(logs.match(/audit events are being written again/g)).toHaveLength(1);
    expect(logs).not.toContain(CANARY);
    expect(logs).not.toContain(readToken);
    expect(await metricValue(t.server.deps.metrics, 'auditBatches', { outcome: 'failed' })).toBeGreaterThan(0);
  });
});

describe('AuditWriter', () => {
  let db: TestDatabase;
  let database: Database;
  let platformId: string;
  const event = (i: number): AuditEvent => ({ platformId, actor: 'test', action: 'secrets.resolve', targetType: 'secrets', outcome: 'success', details: { i, text: `nul\u0000${i}` } });
  const logs: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );

  beforeAll(async () => {
    db = await createTestDatabase();
    database = await openPostgres(db.url);
    platformId = (await createPlatform(database.db, 'writer')).id;
  });
  afterAll(async () => {
    await database?.close();
    await db?.drop();
  });

  it('writes a full batch at once, without waiting for its window', async () => {
    await database.db.execute('delete from audit_events');
    const metrics = createMetrics();
    // A window no test waits for: only the size can start this write.
    const writer = new AuditWriter(database.db, { logger, metrics, maxBuffer: 10_000, batchWindowMs: 3_600_000, batchSize: 100 });
    for (let i = 0; i < 105; i++) writer.record(event(i));
    await eventually('a batch of 100 written', async () => (await metricValue(metrics, 'auditRowsWritten')) === 100);
    expect(await resolveRows(database, platformId)).toBe(100);
    expect(writer.buffered).toBe(5);
    expect(await metricValue(metrics, 'auditBuffered')).toBe(5);

    await writer.flush();
    expect(await resolveRows(database, platformId)).toBe(105);
    expect(await metricValue(metrics, 'auditBatches', { outcome: 'written' })).toBe(2);
    // In the order of the calls, NUL characters replaced.
    const rows = await rawRows<{ details: { i: number; text: string } }>(database, `select details from audit_events where platform_id = '${platformId}' order by at`);
    expect(rows.map((r) => r.details.i)).toEqual(Array.from({ length: 105 }, (_, i) => i));
    expect(rows[7]!.details.text).toBe('nul\uFFFD7');
    await writer.close(1000);
  });

  it('keeps lone surrogates out of jsonb, and a row the database refuses for its content from blocking the rows behind it', async () => {
    await database.db.execute('delete from audit_events');
    // Content no sanitising foresees: the database refuses it as bad data (SQLSTATE 22…).
    await database.db.execute(`
      create or replace function refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.details::text like '%poison%' then raise exception 'bad data' using errcode = '22P02'; end if;
        return new;
      end $$;
      create trigger refuse_poison before insert on audit_events for each row execute function refuse_poison();
    `);
    try {
      const metrics = createMetrics();
      const writer = new AuditWriter(database.db, { logger, metrics, maxBuffer: 10_000 });
      writer.record({ ...event(0), details: { text: 'lone \uD800 high, lone \uDC00 low, pair \uD83D\uDE00' } });
      writer.record({ ...event(1), details: { text: 'poison' } });
      writer.record(event(2));
      await writer.flush();
      const rows = await rawRows<{ details: Record<string, unknown> }>(database, `select details from audit_events where platform_id = '${platformId}' order by at`);
      expect(rows.map((r) => r.details)).toEqual([
        { text: 'lone \uFFFD high, lone \uFFFD low, pair \uD83D\uDE00' },
        { unstorable: true },
        { i: 2, text: 'nul\uFFFD2' },
      ]);
      expect(writer.buffered).toBe(0);
      await writer.close(1000);
    } finally {
      await database.db.execute('drop trigger refuse_poison on audit_events');
    }
  });

  it('writes what is queued when its window ends, without a flush', async () => {
    await database.db.execute('delete from audit_events');
    const metrics = createMetrics();
    const writer = new AuditWriter(database.db, { logger, metrics, maxBuffer: 10_000, batchWindowMs: 50 });
    for (let i = 0; i < 3; i++) writer.record(event(i));
    await eventually('the window written', async () => (await resolveRows(database, platformId)) === 3);
    expect(await metricValue(metrics, 'auditBatches', { outcome: 'written' })).toBe(1);
    expect(writer.buffered).toBe(0);
    await writer.close(1000);
  });

  it('gives up at shutdown after its grace when the database refuses, counting what is lost, and refuses new events', async () => {
    await database.db.execute(`
      create function refuse_all_audit() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$;
      create trigger refuse_all_audit before insert on audit_events for each row execute function refuse_all_audit();
    `);
    try {
      const writer = new AuditWriter(database.db, { logger, metrics: createMetrics(), maxBuffer: 10_000 });
      for (let i = 0; i < 4; i++) writer.record(event(i));
      await writer.close(300);
      const lost = logs.map((line) => JSON.parse(line) as { msg: string; lost?: number }).find((line) => line.msg.includes('are lost'));
      expect(lost?.lost).toBe(4);
      expect(() => writer.record(event(5))).toThrow(expect.objectContaining({ code: 'AUDIT_UNAVAILABLE' }));
    } finally {
      await database.db.execute('drop trigger refuse_all_audit on audit_events');
    }
  });
});
