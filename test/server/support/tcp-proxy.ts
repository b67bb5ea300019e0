import { connect, createServer, type Server, type Socket } from 'node:net';
import { closedPort } from '../../support/closed-port.ts';

/**
 * A TCP proxy of the test's own between a server under test and the shared PostgreSQL,
 * so a fault test breaks its own connections only (never stop the shared database):
 *
 * - `pause()`: connections stay open but no byte passes either way, new ones are accepted
 *   and held the same way: a database that stopped answering.
 * - `cut()`: every connection is closed and new ones are refused (nothing listens).
 * - `restore()`: forwards again; held bytes flow on.
 */
export class TcpProxy {
  private server: Server | undefined;
  private paused = false;
  private readonly pairs = new Set<[Socket, Socket]>();

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** Starts forwarding at once unless `refusing`: then it starts as if cut. */
  static async start(targetUrl: string, options: { refusing?: boolean } = {}): Promise<TcpProxy> {
    const url = new URL(targetUrl);
    const proxy = new TcpProxy(await closedPort(), { host: url.hostname, port: Number(url.port || 5432) });
    if (!options.refusing) await proxy.listen();
    return proxy;
  }

  /** `url` pointed at the proxy. */
  via(url: string): string {
    const out = new URL(url);
    out.hostname = '127.0.0.1';
    out.port = String(this.port);
    return out.toString();
  }

  pause(): void {
    if (!this.paused) for (const pair of this.pairs) hold(pair);
    this.paused = true;
  }

  async cut(): Promise<void> {
    this.paused = false;
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  async restore(): Promise<void> {
    if (this.paused) for (const pair of this.pairs) flow(pair);
    this.paused = false;
    if (!this.server) await this.listen();
  }

  close(): Promise<void> {
    return this.cut();
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => this.forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  private forward(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (!this.paused) flow(pair);
  }
}

/** Bytes already read stay buffered in the streams and flow on when piped again. */
function hold([client, upstream]: [Socket, Socket]): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}

function flow([client, upstream]: [Socket, Socket]): void {
  client.pipe(upstream);
  upstream.pipe(client);
}
