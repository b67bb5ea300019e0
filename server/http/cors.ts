import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Browsers may call the API from the server's own pages and from the host origins the
 * operator lists in SM_ALLOWED_ORIGINS; a request from any other origin is refused with
 * 403 before it reaches a route (not merely left without CORS headers), so a page on
 * another site cannot use a token it got hold of.
 *
 * The server's own origin is SM_PUBLIC_URL's, or what the browser itself asserts with
 * `Sec-Fetch-Site: same-origin` (a header no page can set). Never the Host header: any
 * client can send one matching the Origin it claims.
 */
export async function registerCors(app: FastifyInstance, allowedOrigins: readonly string[], publicUrl: string | undefined): Promise<void> {
  const allowed = new Set(allowedOrigins);
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  const sameOrigin = (request: FastifyRequest) => request.headers['sec-fetch-site'] === 'same-origin';

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || allowed.has(origin) || sameOrigin(request)) return;
    return reply.code(403).send({
      error: 'FORBIDDEN',
      message: `Origin ${origin} is not allowed; add it to SM_ALLOWED_ORIGINS (or set SM_PUBLIC_URL to this server's address).`,
      requestId: request.id,
    });
  });
  await app.register(cors, {
    origin: [...allowed],
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'trpc-accept', 'x-trpc-source'],
    maxAge: 600,
  });
}
