/**
 * The one port the emulator listens on, like secretmanager.googleapis.com:443: TLS with
 * ALPN sends `h2` connections to the gRPC server and `http/1.1` ones to the REST listener.
 * Owning the sockets (grpc-js takes injected connections) is what lets `dropConnections`
 * destroy them.
 */
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { ServerCredentials, type Server } from '@grpc/grpc-js';
import type { TestCertificates } from '../tls.ts';

export interface Listener {
  port: number;
  /** Destroys every open connection (and so every HTTP/2 session on it). */
  dropAll(): void;
  close(): Promise<void>;
}

export async function listen(options: {
  host: string;
  port: number;
  /** Without certificates: plaintext gRPC only. */
  certificates?: TestCertificates;
  grpcServer: Server;
  rest: RequestListener;
  shouldDrop: () => boolean;
}): Promise<Listener> {
  // TLS ends here, so grpc-js sees plaintext HTTP/2 either way.
  const grpc = options.grpcServer.createConnectionInjector(ServerCredentials.createInsecure());
  const http = createHttpServer(options.rest);
  const sockets = new Set<Socket>();

  const tls = options.certificates
    ? createTlsServer({ key: options.certificates.key, cert: options.certificates.cert, ALPNProtocols: ['h2', 'http/1.1'] }, (socket: TLSSocket) => {
        if (socket.alpnProtocol === 'h2') grpc.injectConnection(socket);
        else http.emit('connection', socket);
      })
    : undefined;
  // A failed handshake (a client that does not trust the CA) only concerns that client.
  tls?.on('tlsClientError', (_error, socket) => socket.destroy());

  const server = createNetServer((socket) => {
    if (options.shouldDrop()) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (tls) tls.emit('connection', socket);
    else grpc.injectConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    dropAll,
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        grpc.destroy();
        options.grpcServer.forceShutdown();
        server.close(() => resolve());
      }),
  };
}
