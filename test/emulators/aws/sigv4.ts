/**
 * AWS Signature Version 4 for header-signed requests: the canonical request, the string
 * to sign and the HMAC key chain, used both to verify what the SDK sends and to sign the
 * requests tests make themselves (moto's IAM Query API has no SDK here).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const ALGORITHM = 'AWS4-HMAC-SHA256';

export type HeaderValues = Record<string, string | string[] | undefined>;

export interface SignableRequest {
  method: string;
  /** Path and query exactly as sent on the wire, e.g. `/` or `/a%20b?x=1`. */
  target: string;
  /** Header names in any case. */
  headers: HeaderValues;
  body: Buffer | string;
}

export interface CredentialScope {
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
}

export interface ParsedAuthorization {
  accessKeyId: string;
  scope: CredentialScope;
  signedHeaders: string[];
  signature: string;
}

const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding: everything but unreserved characters, as SigV4 requires. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Services other than S3 sign the path encoded once more than it was sent (the SDK's
 * `uriEscapePath`), keeping the slashes.
 */
function canonicalUri(path: string): string {
  return path.split('/').map(uriEncode).join('/') || '/';
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => {
      const [name = '', value = ''] = pair.split('=', 2).map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      return [uriEncode(name), uriEncode(value)] as const;
    })
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function headerValue(headers: HeaderValues, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  if (!entry || entry[1] === undefined) return undefined;
  const values = Array.isArray(entry[1]) ? entry[1] : [entry[1]];
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

export function canonicalRequest(request: SignableRequest, signedHeaders: string[]): string {
  const queryAt = request.target.indexOf('?');
  const path = queryAt === -1 ? request.target : request.target.slice(0, queryAt);
  const query = queryAt === -1 ? '' : request.target.slice(queryAt + 1);
  const headerLines = signedHeaders.map((name) => `${name}:${headerValue(request.headers, name) ?? ''}\n`).join('');
  // The hash of the body as received (services other than S3 ignore x-amz-content-sha256), so a changed body fails.
  return [request.method.toUpperCase(), canonicalUri(path), canonicalQuery(query), headerLines, signedHeaders.join(';'), sha256Hex(request.body)].join('\n');
}

function scopeString(scope: CredentialScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
}

export function computeSignature(
  request: SignableRequest,
  signedHeaders: string[],
  amzDate: string,
  scope: CredentialScope,
  secretAccessKey: string,
): string {
  const stringToSign = [ALGORITHM, amzDate, scopeString(scope), sha256Hex(canonicalRequest(request, signedHeaders))].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, scope.date), scope.region), scope.service), 'aws4_request');
  return hmac(key, stringToSign).toString('hex');
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/secretsmanager/aws4_request, SignedHeaders=a;b, Signature=hex` */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (!header?.startsWith(`${ALGORITHM} `)) return undefined;
  const parts = new Map(
    header
      .slice(ALGORITHM.length + 1)
      .split(',')
      .map((part) => part.trim().split('=', 2) as [string, string | undefined]),
  );
  const credential = parts.get('Credential')?.split('/');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (credential?.length !== 5 || credential[4] !== 'aws4_request' || !signedHeaders || !signature) return undefined;
  const [accessKeyId = '', date = '', region = '', service = ''] = credential;
  return { accessKeyId, scope: { date, region, service }, signedHeaders: signedHeaders.split(';'), signature };
}

export function signatureMatches(request: SignableRequest, auth: ParsedAuthorization, amzDate: string, secretAccessKey: string): boolean {
  const expected = Buffer.from(computeSignature(request, auth.signedHeaders, amzDate, auth.scope, secretAccessKey), 'hex');
  const given = Buffer.from(auth.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `20240101T120000Z` */
export function amzDateOf(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Signs a request the way the SDK does (host, x-amz-date, x-amz-security-token and every
 * other given header signed) and returns the headers to send.
 */
export function signRequest(
  request: { method: string; url: string; headers?: Record<string, string>; body: string },
  options: { region: string; service: string; credentials: SigningCredentials; now?: Date },
): Record<string, string> {
  const url = new URL(request.url);
  const amzDate = amzDateOf(options.now ?? new Date());
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    host: url.host,
    'x-amz-date': amzDate,
  };
  if (options.credentials.sessionToken) headers['x-amz-security-token'] = options.credentials.sessionToken;
  const signedHeaders = Object.keys(headers).sort();
  const scope = { date: amzDate.slice(0, 8), region: options.region, service: options.service };
  const signable = { method: request.method, target: `${url.pathname}${url.search}`, headers, body: request.body };
  const signature = computeSignature(signable, signedHeaders, amzDate, scope, options.credentials.secretAccessKey);
  headers['authorization'] =
    `${ALGORITHM} Credential=${options.credentials.accessKeyId}/${scopeString(scope)}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return headers;
}
