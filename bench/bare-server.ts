/**
 * The HTTP bench's baselines: a bare Fastify route in a process of its own (as the real
 * server is), answering the resolve's path with the very body the resolve returns —
 * straight away (`bare`), or after one ioredis GET of it (`bare+get`: the floor of any
 * service that reads a cache). Started by the parent over IPC, which sends the body.
 */
import { fork } from 'node:child_process';
import Fastify from 'fastify';
import { Redis } from 'ioredis';

export type BareMode = 'bare' | 'bare+get';

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

/** `redis` (URL and key) is read by `bare+get`; the parent writes the key and removes it. */
export async function startBareServer(mode: BareMode, body: string, redis: { url: string; key: string }): Promise<BareServer> {
  const child = fork(import.meta.filename, ['--serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send({ mode, body, redis });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve(m as string));
    child.once('exit', (code) => reject(new Error(`the bench's bare server exited (${code})`)));
  });
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        // Already gone (an interrupt reaches the whole process group): its exit event has passed.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

if (process.argv.includes('--serve')) {
  const { mode, body, redis } = await new Promise<{ mode: BareMode; body: string; redis: { url: string; key: string } }>((resolve) => process.once('message', resolve as never));
  const client = mode === 'bare+get' ? new Redis(redis.url) : undefined;
  const app = Fastify();
  // The body as an object, serialised per request, as tRPC does with its answer.
  const answer = JSON.parse(body) as unknown;
  app.post('/trpc/secrets.resolve', async (_request, reply) => {
    if (!client) return answer;
    return reply.type('application/json; charset=utf-8').send(await client.get(redis.key));
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  process.send!(url);
  process.once('SIGTERM', () => {
    client?.disconnect();
    void app.close().then(() => process.exit(0));
  });
}
