/**
 * A fetch for the REST transport that trusts a private CA. google-gax hands every REST
 * request a shared https.Agent of its own and gaxios' default fetch honours only that, so a
 * per-connection CA has to come in as gaxios' `fetchImplementation`.
 * https://github.com/googleapis/gaxios#request-options (fetchImplementation)
 */
import { Agent, request } from 'node:https';

export function fetchTrustingCa(caCert: string): { fetch: typeof fetch; close(): void } {
  const agent = new Agent({ ca: caCert, keepAlive: true });
  const fetchWithCa = (input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = input instanceof Request ? input.url : String(input);
      const req = request(url, { method: init.method ?? 'GET', headers: Object.fromEntries(new Headers(init.headers)), agent, signal: init.signal ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers.set(name, String(value));
          // A Response may not carry a body with these statuses.
          const body = [204, 205, 304].includes(res.statusCode ?? 0) ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status: res.statusCode ?? 502, statusText: res.statusMessage ?? '', headers }));
        });
      });
      req.on('error', reject);
      req.end(typeof init.body === 'string' || init.body instanceof Uint8Array ? init.body : undefined);
    });
  return { fetch: fetchWithCa as typeof fetch, close: () => agent.destroy() };
}
