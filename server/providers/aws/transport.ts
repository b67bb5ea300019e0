/**
 * The SDK clients one connection uses, and the settings they share: region, endpoint,
 * credentials, the SDK's own retries (standard mode: throttling, 5xx and dropped
 * connections, with backoff), and an error middleware for non-JSON error answers.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/nested-clients/sts';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { EgressGuard } from '../egress/egress-guard.ts';

/** The first attempt and two retries: enough for a blip, bounded by the overall budget anyway. */
const MAX_ATTEMPTS = 3;

/**
 * An error answer whose body is not the JSON Secrets Manager speaks: moto answers bad
 * signatures, unknown keys and IAM denials with XML 403s, and proxies answer HTML. The SDK
 * would fail to parse it and throw a SyntaxError that hides the status and the reason;
 * this keeps both, named after the XML `<Code>` when there is one.
 */
export class UnreadableErrorResponse extends Error {
  readonly $metadata: { httpStatusCode: number };
  readonly $fault: 'client' | 'server';

  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.name = code ?? `HTTP ${status}`;
    this.$metadata = { httpStatusCode: status };
    this.$fault = status >= 500 ? 'server' : 'client';
  }
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

async function bodyText(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  return '';
}

function xmlElement(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]?.trim();
}

function rejectNonJsonErrors(client: SecretsManagerClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as RawResponse;
      const contentType = Object.entries(response.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
      if (response.statusCode < 300 || /json/i.test(contentType)) return result;
      const text = await bodyText(response.body);
      if (/^\s*[{[]/.test(text)) {
        response.body = Buffer.from(text);
        return result;
      }
      const message = xmlElement(text, 'Message') ?? (text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300) || `HTTP ${response.statusCode}`);
      throw new UnreadableErrorResponse(response.statusCode, xmlElement(text, 'Code'), message);
    },
    // Runs inside the SDK's deserializer, so it sees the raw answer first.
    { step: 'deserialize', name: 'rejectNonJsonErrors', priority: 'low' },
  );
}

export interface Endpoints {
  region: string;
  secretsManager?: string;
  sts?: string;
}

/** The sockets of one connection, Secrets Manager and STS alike: every one is opened through the egress guard. */
export interface Agents {
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
}

export function guardedAgents(egress: EgressGuard): Agents {
  return { httpAgent: egress.agent('http:'), httpsAgent: egress.agent('https:') };
}

export function createSecretsManagerClient(
  endpoints: Endpoints,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
  agents: Agents,
): SecretsManagerClient {
  const client = new SecretsManagerClient({
    region: endpoints.region,
    ...(endpoints.secretsManager && { endpoint: endpoints.secretsManager }),
    credentials,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: { ...agents },
  });
  rejectNonJsonErrors(client);
  return client;
}

/**
 * STS is called from inside a credential provider, where no abort signal reaches it, so
 * it gets its own timeouts within the operation's budget.
 */
export function createStsClient(
  endpoints: Endpoints,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
  budgetMs: number,
  agents: Agents,
): STSClient {
  return new STSClient({
    region: endpoints.region,
    ...(endpoints.sts && { endpoint: endpoints.sts }),
    credentials,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: { connectionTimeout: budgetMs, requestTimeout: budgetMs, throwOnRequestTimeout: true, ...agents },
  });
}
