import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../logger.ts';

/**
 * Two lines per request at info would cost the hot path more than a cache hit does. Here a
 * request is one line at debug when answered (route, never the query, which may carry a
 * tRPC input; status; time), or at error when sending the answer failed. Failures of the
 * request itself are logged where they are handled, at any level.
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ err: error, status: reply.statusCode }, 'sending the answer failed');
      return;
    }
    if (!(reply.log as Logger).isLevelEnabled('debug')) return;
    reply.log.debug({ method: request.method, path: request.url.split('?', 1)[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request answered');
  }
}
