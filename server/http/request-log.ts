import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logger.ts';

/**
 * One line per answered request at debug: method, route (never the query, which may carry
 * a tRPC input), status and time. Failures are logged where they are handled, at any level.
 */
export function registerRequestLog(app: FastifyInstance, logger: Logger): void {
  if (!logger.isLevelEnabled('debug')) return;
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      { method: request.method, path: request.url.split('?', 1)[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request answered',
    );
  });
}
