import type { FastifyInstance } from 'fastify';

/**
 * What every answer carries: the request id (the log line of any failure names it too),
 * `nosniff`, `no-store` unless the route chose its own caching (the static files do), and
 * `Vary: Origin`, because the origin check and CORS headers depend on it and a shared
 * cache must not hand one origin's answer to another.
 */
function withOrigin(vary: unknown): string {
  const text = typeof vary === 'string' ? vary : Array.isArray(vary) ? vary.join(', ') : '';
  return /(^|,)\s*origin\s*(,|$)/i.test(text) ? text : text ? `${text}, Origin` : 'Origin';
}

export function registerResponseHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    // tRPC answers with a web Response whose own headers Fastify copies last, over the reply's.
    if (payload instanceof Response) payload.headers.set('vary', withOrigin(payload.headers.get('vary')));
    else reply.header('vary', withOrigin(reply.getHeader('vary')));
    return payload;
  });
}
