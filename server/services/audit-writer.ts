import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { isDataException, pgErrorCode } from '../db/errors.ts';
import { auditEvents } from '../db/schema/index.ts';
import { SecretManagerError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { auditRow, type AuditEvent } from './audit.ts';

/** How long an event may wait for the next batch: what a crash can lose, and how late a row can show. */
const BATCH_WINDOW_MS = 100;
/** Rows per INSERT: one statement's worth, well under PostgreSQL's 65,535 parameters. */
const BATCH_SIZE = 1000;
/** Retries after a failed INSERT start fast (a blip) and settle at a pace that does not hammer a database coming back. */
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 1000;

type Row = ReturnType<typeof auditRow> & { at: SQL };

interface Queued {
  row: Row;
  queuedAt: number;
}

export interface AuditWriterOptions {
  logger: Logger;
  metrics: Metrics;
  /** Unwritten events held at most; at this many, `record` refuses (SM_AUDIT_MAX_BUFFER). */
  maxBuffer: number;
  /** Tests set these to see each trigger of a write on its own. */
  batchWindowMs?: number;
  batchSize?: number;
}

/**
 * Writes resolution audit events in batches: one multi-row INSERT per `BATCH_WINDOW_MS`
 * (100 ms) or `BATCH_SIZE` (1,000) events, so a warm resolve waits for no database round
 * trip. A failed INSERT leaves its events queued, in order, and is retried; when
 * `maxBuffer` events are unwritten, `record` refuses and resolution fails closed rather
 * than run unaudited.
 * Changes (connections, keys) are not for this writer: their row is written before they answer.
 */
export class AuditWriter {
  private readonly queue: Queued[] = [];
  private readonly clock = new MicrosecondClock();
  private timer: NodeJS.Timeout | undefined;
  /** The one write loop; one INSERT at a time keeps the order and suits PGlite's single connection. */
  private pumping: Promise<void> | undefined;
  /** Callers of `flush` waiting: the loop writes on without waiting for windows. */
  private draining = 0;
  private outage: { since: number; failedBatches: number } | undefined;
  private closed = false;
  /** Shutdown gave up on what is left: the loop stops retrying. */
  private abandoned = false;
  private readonly batchWindowMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly db: Db,
    private readonly options: AuditWriterOptions,
  ) {
    this.batchWindowMs = options.batchWindowMs ?? BATCH_WINDOW_MS;
    this.batchSize = options.batchSize ?? BATCH_SIZE;
  }

  /** Unwritten events, the one being written included. */
  get buffered(): number {
    return this.queue.length;
  }

  /** Throws AUDIT_UNAVAILABLE when an event could not be queued now: checked before a resolve does any work. */
  assertAccepting(): void {
    if (this.closed || this.queue.length >= this.options.maxBuffer) throw auditUnavailable();
  }

  /** Queues an event for the next batch, or throws AUDIT_UNAVAILABLE: the caller must then hand out nothing. */
  record(event: AuditEvent): void {
    this.assertAccepting();
    this.queue.push({ row: { ...auditRow(event), at: this.clock.next() }, queuedAt: Date.now() });
    this.options.metrics.auditBuffered.set(this.queue.length);
    this.schedule();
  }

  /** Writes everything queued, now; waits through an outage until it is written (or shutdown gives up). */
  async flush(): Promise<void> {
    this.draining++;
    try {
      while (this.queue.length > 0 && !this.abandoned) {
        this.startPump();
        await this.pumping;
      }
    } finally {
      this.draining--;
    }
  }

  /**
   * Refuses new events and writes what is queued. Waits at most `graceMs`: a database that
   * stays down must not hold shutdown forever; what is then left is lost, and counted in the log.
   */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    });
    const timedOut = await Promise.race([this.flush().then(() => false as const), gaveUp]);
    clearTimeout(timer);
    if (!timedOut) return;
    this.abandoned = true;
    clearTimeout(this.timer);
    this.options.logger.error({ lost: this.queue.length, graceMs }, 'shutdown: audit events could not be written in time and are lost');
  }

  /** Starts the loop at once for a full batch; otherwise when the oldest event's window ends. */
  private schedule(): void {
    if (this.pumping || this.abandoned || this.queue.length === 0) return;
    if (this.queue.length >= this.batchSize || this.draining > 0) {
      this.startPump();
      return;
    }
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined;
        this.startPump();
      },
      Math.max(0, this.queue[0]!.queuedAt + this.batchWindowMs - Date.now()),
    ).unref();
  }

  private startPump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pumping ??= this.pump().finally(() => {
      this.pumping = undefined;
      this.schedule();
    });
  }

  private async pump(): Promise<void> {
    let retryMs = RETRY_FIRST_MS;
    while (this.queue.length > 0 && !this.abandoned) {
      const batch = this.queue.slice(0, this.batchSize);
      try {
        await this.db.insert(auditEvents).values(batch.map((q) => q.row));
      } catch (e) {
        // A row the database refuses for its content would block every batch behind it.
        if (isDataException(e) && (await this.writeEach(batch))) continue;
        this.failed(e);
        await sleep(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        continue;
      }
      this.queue.splice(0, batch.length);
      this.written(batch.length);
      retryMs = RETRY_FIRST_MS;
      // Less than a batch whose window is still open waits for it, unless someone is flushing.
      const oldest = this.queue[0];
      if (this.draining === 0 && this.queue.length < this.batchSize && (!oldest || oldest.queuedAt + this.batchWindowMs > Date.now())) return;
    }
  }

  /**
   * The batch row by row; a row refused for its content is kept with its details replaced
   * by a marker, so the event is still on record. False when the database failed otherwise.
   */
  private async writeEach(batch: Queued[]): Promise<boolean> {
    try {
      for (const { row } of batch) {
        await this.db.insert(auditEvents).values(row).catch((e: unknown) => {
          if (!isDataException(e)) throw e;
          this.options.logger.warn({ action: row.action }, 'an audit event\'s details could not be stored; it is kept without them');
          return this.db.insert(auditEvents).values({ ...row, details: { unstorable: true } });
        });
        // Written: not written again if a later row fails.
        this.queue.splice(0, 1);
        this.written(1);
      }
      return true;
    } catch {
      return false;
    }
  }

  private written(rows: number): void {
    const { metrics, logger } = this.options;
    metrics.auditRowsWritten.inc(rows);
    metrics.auditBatches.inc({ outcome: 'written' });
    metrics.auditBuffered.set(this.queue.length);
    if (this.outage) {
      logger.info({ outageMs: Date.now() - this.outage.since, failedBatches: this.outage.failedBatches, buffered: this.queue.length }, 'audit events are being written again');
      this.outage = undefined;
    }
  }

  /** One warning per outage; the driver's error is not logged, as it can carry the rows' parameters. */
  private failed(e: unknown): void {
    this.options.metrics.auditBatches.inc({ outcome: 'failed' });
    if (this.outage) {
      this.outage.failedBatches++;
      return;
    }
    this.outage = { since: Date.now(), failedBatches: 1 };
    this.options.logger.warn(
      { code: pgErrorCode(e) ?? (e as { code?: unknown })?.code ?? (e as Error)?.name, buffered: this.queue.length, maxBuffer: this.options.maxBuffer },
      'audit events cannot be written; they stay queued and are retried (resolves are refused once the buffer is full)',
    );
  }
}

function auditUnavailable(): SecretManagerError {
  return new SecretManagerError('AUDIT_UNAVAILABLE', 'Secrets are not being resolved right now: their use cannot be recorded in the audit trail. Try again shortly.');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Strictly increasing timestamps in microseconds (PostgreSQL's precision): a batch's rows
 * keep the order of their calls, even when many share a millisecond, and `at` is when the
 * call happened rather than when its batch was written.
 */
class MicrosecondClock {
  private last = 0;

  next(): SQL {
    this.last = Math.max(Date.now() * 1000, this.last + 1);
    const iso = new Date(Math.floor(this.last / 1000)).toISOString();
    return sql`${`${iso.slice(0, 23)}${String(this.last % 1000).padStart(3, '0')}Z`}::timestamptz`;
  }
}
