/** HTTP plumbing shared by the routes: Vault's error shapes, its response envelope, body parsing. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  body?: unknown;
}

/** An answer of the form `{"errors":[...]}`, which node-vault turns into `err.message = errors[0]`. */
export class VaultHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors[0] ?? `status ${status}`);
  }
}

/** A missing, invalid or expired token. */
export const permissionDenied = () => new VaultHttpError(403, ['permission denied']);

/** A policy refusal: Vault reports it through its multierror formatting. */
export const aclDenied = () => new VaultHttpError(403, ['1 error occurred:\n\t* permission denied\n\n']);

/** Vault answers a missing secret with an empty error list, so node-vault's message is just `Status 404`. */
export const notFound = () => new VaultHttpError(404, []);

export const badRequest = (message: string) => new VaultHttpError(400, [message]);

export const noHandler = (path: string) =>
  new VaultHttpError(404, [`no handler for route "${path}". route entry not found.`]);

export const unsupportedOperation = () =>
  new VaultHttpError(405, ['1 error occurred:\n\t* unsupported operation\n\n']);

interface EnvelopeFields {
  data?: unknown;
  auth?: unknown;
  warnings?: string[] | null;
  lease_duration?: number;
}

/** Every successful Vault answer carries the same top-level fields around `data` or `auth`. */
export function envelope(fields: EnvelopeFields): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data: null,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...fields,
  };
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const noContent = (): Reply => ({ status: 204 });

/** Vault decodes request bodies into a JSON object; an empty body is an empty object. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badRequest(`failed to parse JSON input: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('failed to parse JSON input: the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(reply.body));
}

export function errorReply(err: VaultHttpError): Reply {
  return { status: err.status, body: { errors: err.errors } };
}

/** Vault reads flags such as `?list=` with Go's strconv.ParseBool. */
export function parseBool(value: string | null): boolean {
  return value !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value);
}

/** Reads an optional string field of a request body, rejecting other types like Vault's field schema. */
export function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw badRequest(`field "${name}" must be a string`);
  return value;
}
