/**
 * The request pipeline: faults, which service and operation (JSON `X-Amz-Target` for
 * Secrets Manager, a form-encoded `Action` for STS — both on one port, checked against the
 * SigV4 scope's service), SigV4 authentication, then the operation.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthFailure, authenticate, type AuthFailureKind } from './authenticate.ts';
import { takeInjectedFailure } from './faults.ts';
import type { Identities, Principal } from './iam.ts';
import type { SecretStore } from './secrets.ts';
import { secretsManagerOperations } from './secretsmanager.ts';
import { handleSts, stsAction } from './sts.ts';
import type { AwsFaults, AwsStats } from './types.ts';
import { AwsError, jsonError, jsonReply, xmlError, type Reply } from './wire.ts';

export interface EmulatorState {
  region: string;
  identities: Identities;
  store: SecretStore;
  faults: AwsFaults;
  stats: AwsStats;
  /** Aborted by close(), so delayed answers do not keep timers alive. */
  closing: AbortSignal;
}

interface Service {
  protocol: 'json' | 'query';
  /** The SigV4 signing name requests must be scoped to. */
  signingName: string;
  /** IAM-style action name, for the stats. */
  operation: string;
  errorReply(error: AwsError): Reply;
  authError: Record<AuthFailureKind, { code: string; status: number }>;
  handle(principal: Principal): Reply;
}

/** What Secrets Manager answers for each failed authentication: always HTTP 400. */
const jsonAuthErrors: Service['authError'] = {
  missing: { code: 'MissingAuthenticationTokenException', status: 400 },
  unknownKey: { code: 'UnrecognizedClientException', status: 400 },
  badSignature: { code: 'InvalidSignatureException', status: 400 },
  signatureExpired: { code: 'InvalidSignatureException', status: 400 },
  wrongScope: { code: 'InvalidSignatureException', status: 400 },
  expiredToken: { code: 'ExpiredTokenException', status: 400 },
};

/** What STS answers: HTTP 403 with Query-protocol codes. */
const queryAuthErrors: Service['authError'] = {
  missing: { code: 'MissingAuthenticationToken', status: 403 },
  unknownKey: { code: 'InvalidClientTokenId', status: 403 },
  badSignature: { code: 'SignatureDoesNotMatch', status: 403 },
  signatureExpired: { code: 'SignatureDoesNotMatch', status: 403 },
  wrongScope: { code: 'SignatureDoesNotMatch', status: 403 },
  expiredToken: { code: 'ExpiredToken', status: 403 },
};

function resolveService(state: EmulatorState, req: IncomingMessage, body: Buffer): Service {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix, op = ''] = target.split('.', 2);
    const handler = prefix === 'secretsmanager' ? secretsManagerOperations[op] : undefined;
    return {
      protocol: 'json',
      signingName: 'secretsmanager',
      operation: `secretsmanager:${op}`,
      errorReply: jsonError,
      authError: jsonAuthErrors,
      handle(principal) {
        if (!handler) throw new AwsError('UnknownOperationException', `Unknown operation ${target}`);
        let input: Record<string, unknown>;
        try {
          input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
        } catch {
          throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
        }
        return jsonReply(handler({ principal, store: state.store, input }));
      },
    };
  }
  const params = new URLSearchParams(body.toString('utf8'));
  return {
    protocol: 'query',
    signingName: 'sts',
    operation: `sts:${stsAction(params)}`,
    errorReply: xmlError,
    authError: queryAuthErrors,
    handle: (principal) => handleSts(state.identities, principal, params),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function answer(state: EmulatorState, req: IncomingMessage): Promise<Reply> {
  const body = await readBody(req);
  const service = resolveService(state, req, body);
  state.stats.byOperation[service.operation] = (state.stats.byOperation[service.operation] ?? 0) + 1;
  try {
    const injected = takeInjectedFailure(state.faults, service.protocol);
    if (injected) throw injected;
    const request = { method: req.method ?? 'POST', target: req.url ?? '/', headers: req.headers, body };
    let principal: Principal;
    try {
      principal = authenticate(state.identities, request, { region: state.region, service: service.signingName });
    } catch (error) {
      if (!(error instanceof AuthFailure)) throw error;
      const { code, status } = service.authError[error.kind];
      throw new AwsError(code, error.message, status);
    }
    return service.handle(principal);
  } catch (error) {
    return service.errorReply(error instanceof AwsError ? error : new AwsError('InternalFailure', String(error), 500));
  }
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

export function requestListener(state: EmulatorState): RequestListener {
  return async (req, res) => {
    state.stats.requests += 1;
    if (state.faults.dropConnections) {
      req.socket.destroy();
      return;
    }
    const reply = await answer(state, req);
    if (state.faults.latencyMs > 0) await sleep(state.faults.latencyMs, undefined, { signal: state.closing }).catch(() => undefined);
    if (!res.destroyed) send(res, reply);
  };
}
