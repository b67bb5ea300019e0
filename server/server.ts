import { randomUUID } from 'node:crypto';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { loadKeyRing } from './crypto/key-source.ts';
import type { KeyRing } from './crypto/keyring.ts';
import type { Database } from './db/client.ts';
import { readinessProbe } from './db/readiness.ts';
import { openDatabaseAtStart } from './db/startup.ts';
import { createLogger, type Logger } from './logger.ts';
import { EgressGuard } from './providers/egress/egress-guard.ts';
import { ProviderClientPool } from './providers/registry.ts';
import { createSecretCache } from './cache/index.ts';
import { createMetrics } from './metrics.ts';
import { registerCacheRoutes } from './http/cache-routes.ts';
import { registerStaticRoutes } from './http/static-routes.ts';
import { registerCors } from './http/cors.ts';
import { registerErrorHandler } from './http/error-handler.ts';
import { createMetricsServer, registerMetricsRoute } from './http/metrics-routes.ts';
import { createRateLimits } from './http/rate-limits.ts';
import { LocalGenerations, RedisGenerations } from './invalidation/generations.ts';
import { RequestLog } from './http/request-log.ts';
import { registerResolveRoute } from './http/resolve-route.ts';
import { registerResponseHeaders } from './http/response-headers.ts';
import { createRedisClient } from './redis-client.ts';
import { retryAfterSeconds } from './trpc/errors.ts';
import { assembleDeps } from './services/assemble-deps.ts';
import { appRouter, type AppRouter } from './routers/_app.ts';
import type { ServiceDeps } from './services/deps.ts';
import { bootstrapPlatform } from './services/platforms.ts';
import { contextFactory } from './trpc/context.ts';

/** /readyz answers within this, whatever the database does: orchestrators time their probes out at a few seconds. */
const READINESS_TIMEOUT_MS = 1500;
/**
 * How long a stop waits for queued audit events to be written: ample for a database that
 * answers, and well inside the usual grace before a SIGKILL (30 s in Kubernetes).
 */
const AUDIT_SHUTDOWN_GRACE_MS = 10_000;

export interface ServerOptions {
  logger?: Logger;
  /** An already open database (tests, demo); otherwise opened from the config. */
  database?: Database;
  keyRing?: KeyRing;
}

export interface RunningServer {
  app: FastifyInstance;
  deps: ServiceDeps;
  /** Listens on the configured host and port; resolves to the base URL. */
  start(): Promise<string>;
  /** Where the separate metrics listener answers, once started (SM_METRICS_PORT). */
  metricsUrl(): string | undefined;
  stop(): Promise<void>;
}

export async function createServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const keyRing = options.keyRing ?? loadKeyRing(config.encryptionKeys, config.dataDir, logger).ring;
  const database = options.database ?? (await openDatabaseAtStart(config, logger));
  if (config.bootstrapAdminToken) {
    const seeded = await bootstrapPlatform(database.db, config.bootstrapAdminToken);
    if (seeded) logger.info({ platformId: seeded.platformId }, 'created platform "default" with the bootstrap admin key');
  }
  const egress = new EgressGuard(config.allowedNetworks);
  const clients = new ProviderClientPool({ timeoutMs: config.providerTimeoutMs, logger, policy: config.providerPolicy, egress });
  const metrics = createMetrics();
  const cache = createSecretCache({ redisUrl: config.redisUrl, ...config.cache }, keyRing, logger, metrics);
  await cache.ready();
  // Rate limits and generations: a request's counting and reading travel together (auto-pipelined).
  const coordination = config.redisUrl ? createRedisClient(config.redisUrl, { autoPipelining: true }) : undefined;
  const generations = coordination ? new RedisGenerations(coordination, config.cache.keyPrefix, logger) : new LocalGenerations();
  const deps = assembleDeps({ db: database.db, keyRing, clients, logger, config, cache, metrics }, generations);

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 5000 },
    // Random rather than a counter: ids of several instances' log lines never collide.
    genReqId: () => randomUUID(),
    logController: new RequestLog(),
  });
  registerResponseHeaders(app);
  registerErrorHandler(app);
  await registerCors(app, config.allowedOrigins, config.publicUrl);
  const limits = createRateLimits(config.rateLimits, coordination, config.cache.keyPrefix);
  app.get('/healthz', async () => ({ status: 'ok' }));
  const databaseAnswers = readinessProbe(database, READINESS_TIMEOUT_MS);
  app.get('/readyz', async (_req, reply) => {
    if (await databaseAnswers()) return { status: 'ready' };
    return reply.code(503).send({ status: 'unavailable', reason: 'database does not answer' });
  });
  registerCacheRoutes(app, deps, limits);
  registerStaticRoutes(app);
  registerMetricsRoute(app, metrics, config.metrics.token);
  const metricsServer = config.metrics.port === undefined ? undefined : createMetricsServer(metrics);
  registerResolveRoute(app, deps, limits);
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: contextFactory(deps, limits),
      responseMeta({ errors }) {
        const waits = errors.map(retryAfterSeconds).filter((s) => s !== undefined);
        return waits.length > 0 ? { headers: { 'retry-after': String(Math.max(...waits)) } } : {};
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  let stopped: Promise<void> | undefined;
  return {
    app,
    deps,
    async start() {
      if (metricsServer) await metricsServer.listen({ port: config.metrics.port, host: config.metrics.host });
      return app.listen({ port: config.port, host: config.host });
    },
    metricsUrl() {
      const address = metricsServer?.server.address();
      return address && typeof address === 'object' ? `http://${config.metrics.host}:${address.port}` : undefined;
    },
    // Once: SIGINT then SIGTERM, or a test and its cleanup, must not close things twice.
    stop() {
      stopped ??= stopEverything();
      return stopped;
    },
  };

  async function stopEverything() {
    await app.close();
    // After the last request has answered, before the database closes: a clean stop loses no audit event.
    await deps.audit.close(AUDIT_SHUTDOWN_GRACE_MS);
    await metricsServer?.close();
    await clients.closeAll();
    coordination?.disconnect();
    await cache.close();
    if (!options.database) await database.close();
  }
}
