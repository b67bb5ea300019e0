import type { FastifyError, FastifyInstance } from 'fastify';
import { INTERNAL_MESSAGE } from '../trpc/errors.ts';

/**
 * Failures that reach Fastify itself (a body it cannot parse or take, a route's unexpected
 * throw): a client's mistake keeps Fastify's own words, anything else answers a bare 500
 * and is logged under the request id the answer carries.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unhandled error in a route');
    return reply.code(status).send({
      error: status === 500 ? 'INTERNAL_SERVER_ERROR' : (error.code ?? 'BAD_REQUEST'),
      message: status === 500 ? INTERNAL_MESSAGE : error.message,
      requestId: request.id,
    });
  });
}
