import { Socket } from 'node:net';
import type { Sql } from 'postgres';
import { DatabaseUnavailableError } from './errors.ts';

/** What postgres-js passes its `socket` option: the parsed connection settings. */
interface SocketTarget {
  host: string[];
  port: number[];
  /** A Unix socket path, when the URL names one. */
  path?: string | false;
}

type Callback = ((value: unknown) => unknown) | null | undefined;

/**
 * postgres-js has no client-side query timeout, and statement_timeout is enforced by the
 * server: a database or network that stops answering without closing the connection (a
 * frozen host, a stalled proxy, a failover that leaves the old address silent) keeps every
 * query waiting for good, and every request with it.
 *
 * Here every query the pool runs (inside transactions too) gets a deadline. A query past it
 * fails at once as unavailable, and the pool's connections that have not received a byte
 * since that query began are closed: they are stuck on a silent database, and postgres-js
 * reconnects (within its connect timeout) on the next query. Connections still receiving
 * are left alone, so a busy but healthy database loses nothing but the late query.
 *
 * As with any timeout, a query given up on may still have run, or (if it was still queued
 * for a connection) run once the database answers again; its result is dropped.
 */
export class QueryDeadlines {
  private readonly sockets = new Set<Socket>();
  /** postgres-js tries the hosts of a multi-host URL in turn; so do we. */
  private opened = 0;

  constructor(
    private readonly deadlineMs: number,
    private readonly onStall: (closedConnections: number) => void,
  ) {}

  /** For postgres-js's `socket` option (with it, postgres-js leaves connecting to us). */
  readonly socket = (target: SocketTarget): Socket => {
    const socket = new Socket();
    this.sockets.add(socket);
    // Not a 'close' listener: postgres-js removes every listener of a socket it wraps in TLS.
    for (const old of this.sockets) if (old.destroyed) this.sockets.delete(old);
    if (target.path) return socket.connect(target.path);
    const index = this.opened++ % target.host.length;
    const host = target.host[index]!;
    const port = target.port[index] ?? target.port[0]!;
    // postgres-js reads these for the TLS server name and its error messages.
    Object.assign(socket, { host, port });
    return socket.connect(port, host);
  };

  /** `sql` with a deadline on every query run through `unsafe` (all of Drizzle's), in and out of transactions. */
  wrap<T extends Sql>(sql: T): T {
    return new Proxy(sql, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (property === 'unsafe') return (...args: unknown[]) => this.guard(value.apply(target, args));
        if (property === 'begin' || property === 'savepoint') {
          const scoped = (arg: unknown) => (typeof arg === 'function' ? (tx: Sql) => arg(this.wrap(tx)) : arg);
          return (...args: unknown[]) => value.apply(target, args.map(scoped));
        }
        return value;
      },
    });
  }

  /**
   * postgres-js queries are lazy promises that start when first awaited (`then`), and are
   * chained first (`.values()` returns the query itself); so the deadline goes on the
   * query's own `then`, and starts with it.
   */
  private guard<Q extends PromiseLike<unknown>>(query: Q): Q {
    const start = query.then.bind(query) as (onFulfilled: Callback, onRejected: Callback) => unknown;
    let guarded: Promise<unknown> | undefined;
    const run = () =>
      (guarded ??= new Promise((resolve, reject) => {
        const receivedAtStart = this.received();
        const timer = setTimeout(() => {
          reject(new DatabaseUnavailableError('the database stopped answering'));
          this.closeSilent(receivedAtStart);
        }, this.deadlineMs);
        start(
          (value) => (clearTimeout(timer), resolve(value)),
          (error) => (clearTimeout(timer), reject(error)),
        );
      }));
    Object.assign(query, { then: (onFulfilled: Callback, onRejected: Callback) => run().then(onFulfilled, onRejected) });
    return query;
  }

  private received(): Map<Socket, number> {
    return new Map([...this.sockets].map((socket) => [socket, socket.bytesRead]));
  }

  /** Closes the open sockets that received nothing since `before` (sockets opened since count from zero). */
  private closeSilent(before: Map<Socket, number>): void {
    let closed = 0;
    for (const socket of this.sockets) {
      if (socket.destroyed || socket.bytesRead !== (before.get(socket) ?? 0)) continue;
      // Without an error: a socket wrapped in TLS has no listener left for one. postgres-js
      // fails the queries waiting on it with CONNECTION_CLOSED, which isDatabaseUnavailable knows.
      socket.destroy();
      this.sockets.delete(socket);
      closed++;
    }
    if (closed > 0) this.onStall(closed);
  }
}
