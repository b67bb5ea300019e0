import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

const PUBLIC_DIR = resolve(import.meta.dirname, 'public');

/** The demo host's whole front end: plain files, no build step, as a small third-party dashboard ships them. */
const files: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'styles.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * The policy a careful host sets: scripts only from itself and the Secret Managers server
 * (the elements bundle), calls only to itself and that server, no inline script at all.
 */
function contentSecurityPolicy(apiOrigin: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${apiOrigin}`,
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self' ${apiOrigin}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Serves the demo host page at /demo/ (`apiUrl` is where the page loads the elements from and calls). */
export function registerDemoPage(app: FastifyInstance, apiUrl: () => string): void {
  app.get('/demo', (_request, reply) => reply.redirect('/demo/'));
  const send = async (reply: FastifyReply, name: string) => {
    const type = Object.hasOwn(files, name) ? files[name] : undefined;
    if (!type) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    reply.headers({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache' });
    if (name === 'index.html') reply.header('content-security-policy', contentSecurityPolicy(new URL(apiUrl()).origin));
    return reply.type(type).send(await readFile(resolve(PUBLIC_DIR, name)));
  };
  app.get('/demo/', (_request, reply) => send(reply, 'index.html'));
  app.get<{ Params: { file: string } }>('/demo/:file', (request, reply) => send(reply, request.params.file));
}
