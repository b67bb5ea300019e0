import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { errorCodeInfo } from '../../shared/errors.ts';
import { actorOf, adminActorOf } from '../auth/principal.ts';
import { isDataException } from '../db/errors.ts';
import { SecretManagerError } from '../errors.ts';
import { ValidationError } from '../services/validation-error.ts';
import type { Context } from './context.ts';
import { INTERNAL_MESSAGE, toTRPCError } from './errors.ts';

const t = initTRPC.context<Context>().create({
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const cause = error.cause;
    const zodError = cause instanceof ValidationError || cause instanceof SecretManagerError ? cause.zodError : cause instanceof z.ZodError ? cause : undefined;
    return {
      ...shape,
      // Also for failures outside any procedure (the adapter's own), whose message could be a driver's.
      message: shape.data.code === 'INTERNAL_SERVER_ERROR' ? INTERNAL_MESSAGE : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        ...(ctx && { requestId: ctx.requestId }),
        ...(cause instanceof SecretManagerError && {
          secretManagerCode: cause.code,
          title: errorCodeInfo[cause.code].title,
          hint: cause.hint,
        }),
        // Nested config fields are named by their dotted path, so a form can show each one's message.
        ...(zodError && {
          zodError: { ...z.flattenError(zodError), issues: zodError.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
        }),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps everything thrown below to what the caller may see (errors.ts); what was unexpected is logged once, under the request id. */
const mapErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (result.ok || result.error.code !== 'INTERNAL_SERVER_ERROR') return result;
  const answer = toTRPCError(result.error);
  if (answer.code === 'INTERNAL_SERVER_ERROR') ctx.log.error({ err: answer.cause, path }, 'unhandled error in procedure');
  else if (answer.code === 'SERVICE_UNAVAILABLE') ctx.log.warn({ err: answer.cause, path }, 'a dependency of the request is unavailable');
  else if (isDataException(answer.cause)) ctx.log.warn({ path, code: 'data-exception' }, 'the database refused a value of the request');
  throw answer;
});

export const publicProcedure = t.procedure.use(mapErrors);

const forbidden = (message: string) => new TRPCError({ code: 'FORBIDDEN', message });

/**
 * Any principal. Adds `ctx.principal`, `ctx.actor` (platform and audit name) and `ctx.admin`:
 * for an admin API key or an embed admin token, how far it reaches (`projectId` null = the
 * whole platform; a project = what that project can see, managing only connections of that
 * project alone); null for engines and members.
 */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  const { auth } = ctx;
  if ('error' in auth) throw auth.error;
  const principal = auth.principal;
  if (!principal) throw new TRPCError({ code: 'UNAUTHORIZED', message: auth.reason });
  const actor = { platformId: principal.platformId, actor: actorOf(principal) };
  return next({ ctx: { ...ctx, principal, actor, admin: adminActorOf(principal) } });
});

/** Connections (and the listing of projects): an admin API key or an embed admin token. */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.admin) throw forbidden('This needs the admin role.');
  return next({ ctx: { ...ctx, admin: ctx.admin } });
});

/** Projects themselves: an admin of the whole platform, never one bound to a project. */
export const platformAdminProcedure = adminProcedure.use(({ ctx, next }) => {
  if (ctx.admin.projectId !== null) throw forbidden('Managing projects needs a platform admin; this token is bound to a project.');
  return next();
});

/**
 * Secret values: API keys only, admin or engine. An embed token is a browser's token and
 * never receives a value, whatever its role.
 */
export const engineProcedure = authedProcedure.use(({ ctx, next }) => {
  const { principal } = ctx;
  if (principal.type !== 'api-key') throw forbidden('Secret values go to API keys only (engine or admin); a browser token never receives one.');
  return next({ ctx: { ...ctx, principal } });
});

/**
 * Embed keys and API keys: admin API keys only. A browser token cannot mint or revoke
 * credentials that would outlive it.
 */
export const adminApiKeyProcedure = authedProcedure.use(({ ctx, next }) => {
  const { principal } = ctx;
  if (principal.type !== 'api-key' || principal.role !== 'admin') {
    throw forbidden(`Managing embed keys and API keys needs an admin API key${principal.type === 'embed' ? '; embed tokens never do' : ''}.`);
  }
  return next({ ctx: { ...ctx, principal } });
});
