/**
 * The fetch every HTTP request of a connection's Google client goes through (the REST
 * transport, and anything its auth client asks for): over this connection's agent, which
 * connects through the egress guard and carries its private CA. google-gax hands every REST
 * request a shared https.Agent of its own and gaxios' default fetch honours only that, so
 * the agent has to come in as gaxios' `fetchImplementation`. It never follows a redirect:
 * a 3xx answer is returned as it is.
 * https://github.com/googleapis/gaxios#request-options (fetchImplementation)
 */
import { request, type Agent } from 'node:https';

export function fetchThrough(agent: Agent): typeof fetch {
  const fetchWithAgent = (input: string | URL | Request, init: RequestInit = {}) =>
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
  return fetchWithAgent as typeof fetch;
}
