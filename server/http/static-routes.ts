import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import negotiate from '@fastify/accept-negotiator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** What `npm run build` (vite.config.ts) writes: the element bundles and the admin page. */
const BUILD_DIR = resolve(import.meta.dirname, '../../dist/elements');
const ADMIN_PAGE = 'admin-page/index.html';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The admin page runs only scripts from this origin (none inline), talks only to this
 * server, and cannot be framed. The admin token lives in the URL fragment and then
 * sessionStorage, never in a URL the server sees, so request logs cannot hold it.
 */
const pageHeaders = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  'cache-control': 'no-cache',
};

/**
 * Host pages load the bundles as module scripts, fetched with CORS: `registerCors` answers
 * for the origins in SM_ALLOWED_ORIGINS, and this lets isolated (COEP) hosts embed them.
 */
const bundleHeaders = { 'cross-origin-resource-policy': 'cross-origin' };

const commonHeaders = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/** The copies the build writes next to each file (vite.config.ts), best first. */
const precompressed = { br: '.br', gzip: '.gz' } as const;
type Encoding = keyof typeof precompressed;
const encodings = Object.keys(precompressed) as Encoding[];

/** The best precompressed copy of `file` the request accepts, if there is one. */
async function compressedCopy(request: FastifyRequest, file: string): Promise<{ encoding: Encoding; file: string } | undefined> {
  const encoding = negotiate(request.headers['accept-encoding'] ?? '', encodings);
  if (!encoding) return undefined;
  const copy = file + precompressed[encoding];
  return (await stat(copy).catch(() => undefined))?.isFile() ? { encoding, file: copy } : undefined;
}

/** Inside the build folder, no dot-files, known types only; anything else is "not found". */
function buildFile(relative: string): string | undefined {
  if (relative.split('/').some((segment) => segment === '' || segment.startsWith('.')) || relative.includes('\0')) return undefined;
  const file = resolve(BUILD_DIR, relative);
  return file.startsWith(BUILD_DIR + sep) && contentTypes[extname(file)] ? file : undefined;
}

async function sendBuildFile(request: FastifyRequest, reply: FastifyReply, relative: string) {
  const file = buildFile(relative);
  const info = file ? await stat(file).catch(() => undefined) : undefined;
  if (!file || !info?.isFile()) {
    if (relative !== ADMIN_PAGE) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    return reply.code(503).type('text/plain; charset=utf-8').send('The admin page is not built. Run `npm run build`, then reload.');
  }
  const type = contentTypes[extname(file)]!;
  // Hashed chunk and asset names never change content; entry names are stable and revalidated.
  const hashed = /^(chunks|assets)\//.test(relative);
  const compressed = await compressedCopy(request, file);
  // Each encoding is its own representation, with its own validator.
  const etag = `W/"${info.size.toString(16)}-${Math.trunc(info.mtimeMs).toString(16)}${compressed ? `-${compressed.encoding}` : ''}"`;
  reply.headers({
    ...commonHeaders,
    ...(type.startsWith('text/html') ? pageHeaders : bundleHeaders),
    ...(!type.startsWith('text/html') && { 'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache' }),
    ...(compressed && { 'content-encoding': compressed.encoding }),
    etag,
  });
  // Added to, not replacing, the `Vary: Origin` of the CORS answer.
  const vary = reply.getHeader('vary');
  reply.header('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.type(type).send(await readFile(compressed?.file ?? file));
}

/** Serves the standalone admin page at `/` and the element bundles under `/elements/`. */
export function registerStaticRoutes(app: FastifyInstance): void {
  app.get('/', (request, reply) => sendBuildFile(request, reply, ADMIN_PAGE));
  app.get('/elements/*', (request, reply) => sendBuildFile(request, reply, (request.params as { '*': string })['*']));
}
