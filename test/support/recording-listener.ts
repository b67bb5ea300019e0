import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP listener on 127.0.0.1 (or `host`, e.g. ::1) that records every connection and byte reaching it: the
 * attacker's server in exfiltration tests, or a relay in front of a real service.
 *
 * Alone it speaks no protocol: it hangs up shortly after a client's first bytes, so the
 * client fails fast (TLS clients send their hello first, HTTP clients their request). With
 * `forwardTo` it passes everything on to that port (a provider emulator) and back, so a
 * working connection can be routed through it and a test can see whether anything more
 * was sent.
 */
export interface RecordingListener {
  port: number;
  /** `127.0.0.1:PORT`, `[::1]:PORT` */
  hostPort: string;
  /** What reached the listener since it started or since `reset()`. */
  seen(): { connections: number; bytes: number };
  /** Everything received since it started or since `reset()`, as latin1 text (to search for a credential). */
  received(): string;
  reset(): void;
  close(): Promise<void>;
}

const HANG_UP_AFTER_MS = 50;

export async function startRecordingListener(options: { forwardTo?: number; host?: string; port?: number } = {}): Promise<RecordingListener> {
  const host = options.host ?? '127.0.0.1';
  let connections = 0;
  let chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const server = createServer((socket) => {
    connections++;
    track(socket);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    if (options.forwardTo === undefined) {
      socket.once('data', () => setTimeout(() => socket.destroy(), HANG_UP_AFTER_MS));
      return;
    }
    const upstream = connect(options.forwardTo, '127.0.0.1');
    track(upstream);
    socket.pipe(upstream);
    upstream.pipe(socket);
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as { port: number };

  return {
    port,
    hostPort: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    seen: () => ({ connections, bytes: chunks.reduce((n, c) => n + c.length, 0) }),
    received: () => Buffer.concat(chunks).toString('latin1'),
    reset() {
      connections = 0;
      chunks = [];
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
