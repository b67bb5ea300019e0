/** HTTP plumbing shared by the authority and the vault: replies, bodies, request ids. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const json = (body: unknown, status = 200, headers?: Record<string, string>): Reply => ({
  status,
  body,
  ...(headers && { headers }),
});

/** Key Vault's error envelope: `{"error":{"code","message","innererror"?}}`. */
export function vaultError(status: number, code: string, message: string, innerCode?: string, headers?: Record<string, string>): Reply {
  const error = { code, message, ...(innerCode && { innererror: { code: innerCode } }) };
  return json({ error }, status, headers);
}

/**
 * Entra's OAuth error shape (https://learn.microsoft.com/entra/identity-platform/reference-error-codes):
 * the AADSTS number leads the description and is repeated in `error_codes`.
 */
export function entraError(status: number, error: string, aadsts: number, description: string): Reply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return json(
    {
      error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    },
    status,
  );
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(reply.body !== undefined && { 'Content-Type': 'application/json; charset=utf-8' }),
    'Content-Length': Buffer.byteLength(body),
    'x-ms-request-id': randomUUID(),
    ...reply.headers,
  });
  res.end(body);
}

/** `https://host:port` as the client addressed us, for ids and links in answers. */
export function originOf(req: IncomingMessage): string {
  return `https://${req.headers.host ?? 'localhost'}`;
}
