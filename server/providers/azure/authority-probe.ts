/**
 * MSAL reports any failure to read the authority's OpenID configuration as a bare
 * `endpoints_resolution_error`: an unreachable authority and an unknown tenant look the
 * same. Only then, the adapter asks the same URL once itself to tell the user which it is.
 */
import type { Agent } from 'node:https';
import { request } from 'node:https';

export type AuthorityProbe =
  | { kind: 'unreachable'; code: string; detail: string }
  /** Entra's 400 with AADSTS90002. */
  | { kind: 'unknownTenant'; text: string }
  | { kind: 'answered'; status: number; text: string }
  /** No time left to ask, or the configuration came back fine this time. */
  | { kind: 'unknown' };

const MAX_BODY = 64 * 1024;

function describe(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error_description?: unknown; error?: unknown };
    const text = typeof parsed.error_description === 'string' ? parsed.error_description : typeof parsed.error === 'string' ? parsed.error : '';
    return text.split(/\s+Trace ID:/)[0]!.slice(0, 300);
  } catch {
    return '';
  }
}

export function probeAuthority(authorityHost: string, tenantId: string, agent: Agent, timeoutMs: number): Promise<AuthorityProbe> {
  if (timeoutMs <= 0) return Promise.resolve({ kind: 'unknown' });
  const url = `${authorityHost}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`;
  return new Promise((resolve) => {
    const req = request(url, { agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_BODY) body += chunk;
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = describe(body);
        if (status === 200) resolve({ kind: 'unknown' });
        else if (/AADSTS90002\b/.test(text)) resolve({ kind: 'unknownTenant', text });
        else resolve({ kind: 'answered', status, text });
      });
      res.on('error', () => resolve({ kind: 'unknown' }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'unreachable', code: error.code ?? '', detail: error.message }));
    req.end();
  });
}
