/** Ports for tests: a free one to start a server on, and a closed one to fail against. */
import { createServer } from 'node:net';

/** A port nothing listens on right now (the OS's next free one, released at once). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
