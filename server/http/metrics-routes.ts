import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { hashesEqual } from '../auth/api-key-token.ts';
import type { Metrics } from '../metrics.ts';

/**
 * Prometheus metrics say how busy each provider is and how its calls fail: not for anyone
 * who can reach the API. Served on the API's port only to `Authorization: Bearer
 * <SM_METRICS_TOKEN>`, or without a token on a listener of its own (SM_METRICS_PORT, bound
 * to loopback unless SM_METRICS_HOST says otherwise). With neither, there is no /metrics.
 */
async function sendMetrics(metrics: Metrics, reply: FastifyReply): Promise<FastifyReply> {
  return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  if (token === undefined) return;
  const expected = digest(token);
  app.get('/metrics', async (request, reply) => {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    // Compared as digests: constant time, whatever the lengths.
    if (given === undefined || !hashesEqual(digest(given), expected)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'UNAUTHORIZED', message: 'Send Authorization: Bearer <SM_METRICS_TOKEN>.' });
    }
    return sendMetrics(metrics, reply);
  });
}

/** The separate metrics listener; its caller starts and closes it. */
export function createMetricsServer(metrics: Metrics): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/metrics', (_request, reply) => sendMetrics(metrics, reply));
  return app;
}
