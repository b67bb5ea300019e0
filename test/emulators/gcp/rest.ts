/**
 * The REST face (HTTP/1.1 + JSON, what the client sends with `fallback: true`), following the
 * service's HTTP bindings, e.g. `GET /v1/{name=projects/x/secrets/x/versions/x}:access`.
 * Also the trap at the key files' token_uri: a client that fetches OAuth tokens instead of
 * signing its own JWTs fails loudly here.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { status } from '@grpc/grpc-js';
import type { Caller } from './auth.ts';
import { Dropped, type Pipeline } from './pipeline.ts';
import type { SecretManagerService, SecretView } from './service.ts';
import type { GcpStats } from './types.ts';
import { restError, RpcError } from './wire.ts';

const SECRET = String.raw`projects/[^/:]+(?:/locations/[^/:]+)?/secrets/[^/:]+`;
const PARENT = String.raw`projects/[^/:]+(?:/locations/[^/:]+)?`;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  operation: string;
  run(service: SecretManagerService, caller: Caller, resource: string, query: URLSearchParams, body: Record<string, unknown>): unknown;
}

function secretJson(secret: SecretView): Record<string, unknown> {
  return { name: secret.name, createTime: secret.createTime.toISOString(), ...(secret.regional ? {} : { replication: { automatic: {} } }) };
}

const routes: Route[] = [
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/(${SECRET}/versions/[^/:]+):access$`),
    operation: 'AccessSecretVersion',
    run: (service, caller, name) => {
      const access = service.access(caller, name);
      return { name: access.name, payload: { data: access.data.toString('base64'), dataCrc32c: String(access.crc32c) } };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/(${PARENT})/secrets$`),
    operation: 'ListSecrets',
    run: (service, caller, parent, query) => {
      const page = service.list(caller, {
        parent,
        pageSize: Number(query.get('pageSize') ?? 0) || 0,
        pageToken: query.get('pageToken') ?? '',
        filter: query.get('filter') ?? '',
      });
      return { secrets: page.secrets.map(secretJson), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}), totalSize: page.totalSize };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/(${SECRET})$`),
    operation: 'GetSecret',
    run: (service, caller, name) => secretJson(service.getSecret(caller, name)),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/(${PARENT})/secrets$`),
    operation: 'CreateSecret',
    run: (service, caller, parent, query) => secretJson(service.createSecret(caller, parent, query.get('secretId') ?? '')),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/(${SECRET}):addVersion$`),
    operation: 'AddSecretVersion',
    run: (service, caller, parent, _query, body) => {
      const payload = (body['payload'] ?? {}) as Record<string, unknown>;
      const crc = payload['dataCrc32c'];
      const version = service.addVersion(caller, parent, Buffer.from(String(payload['data'] ?? ''), 'base64'), crc == null ? undefined : String(crc));
      return { name: version.name, createTime: version.createTime.toISOString(), state: version.state };
    },
  },
];

function send(res: ServerResponse, httpStatus: number, body: unknown): void {
  res.writeHead(httpStatus, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

export function restListener(service: SecretManagerService, pipeline: Pipeline, stats: GcpStats): RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname === '/token') {
      stats.tokenRequests += 1;
      send(res, 500, { error: 'emulator_trap', error_description: 'The token endpoint was called: Google client libraries must sign their own JWTs for service accounts.' });
      return;
    }
    const path = decodeURIComponent(url.pathname);
    const route = routes.find((r) => r.method === req.method && r.pattern.test(path));
    if (!route) {
      send(res, 404, restError(new RpcError(status.NOT_FOUND, `No REST route for ${req.method} ${url.pathname} in this emulator.`)).body);
      return;
    }
    const resource = route.pattern.exec(path)![1]!;
    readJson(req)
      .then((body) => pipeline.run(route.operation, req.headers.authorization, (caller) => route.run(service, caller, resource, url.searchParams, body)))
      .then(
        (answer) => send(res, 200, answer),
        (error: unknown) => {
          if (error instanceof Dropped) return;
          const { httpStatus, body } = restError(error instanceof RpcError ? error : new RpcError(status.INVALID_ARGUMENT, `Invalid request: ${String(error)}`));
          send(res, httpStatus, body);
        },
      );
  };
}
