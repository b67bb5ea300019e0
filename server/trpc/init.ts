import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { errorCodeInfo } from '../../shared/errors.ts';
import type { Principal } from '../auth/principal.ts';
import { SecretManagerError } from '../errors.ts';
import { ValidationError } from '../services/validation-error.ts';
import type { Context } from './context.ts';
import { toTRPCError } from './errors.ts';

const t = initTRPC.context<Context>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const zodError = cause instanceof ValidationError || cause instanceof SecretManagerError ? cause.zodError : cause instanceof z.ZodError ? cause : undefined;
    return {
      ...shape,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
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

/** Maps typed errors thrown anywhere below to their tRPC codes; unknown ones stay 500 and are logged once. */
const mapErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (result.ok || result.error.code !== 'INTERNAL_SERVER_ERROR') return result;
  const mapped = toTRPCError(result.error.cause);
  if (mapped) throw mapped;
  ctx.deps.logger.error({ err: result.error.cause, path }, 'unhandled error in procedure');
  throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal error' });
});

export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.auth.principal) throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.auth.reason });
  return next({ ctx: { ...ctx, principal: ctx.auth.principal } });
});

function requireRole(roles: readonly Principal['role'][]) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.principal.role)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${roles.join(' or ')} role.` });
    }
    return next();
  });
}

export const adminProcedure = requireRole(['admin']);
/** Secret values go only to engines and admins: never to a member's browser. */
export const engineProcedure = requireRole(['admin', 'engine']);
