import type { SecretManagersClient } from '../client.ts';
import { emit } from '../events.ts';
import { isAbort, toProblem } from '../problems.ts';

/** The server refused the token (401): expired, revoked, or signed with an unknown key. */
export const isUnauthorized = (error: unknown): boolean => !isAbort(error) && toProblem(error).kind === 'unauthorized';

/**
 * Runs a call. On 401 it tells the host (`sm-auth-expired` on `host`, where a listener may
 * set a fresh `token`) and runs it once more with `api()` read again, which also asks
 * `getToken()` again. A second 401 is the caller's to show (and `sm-unauthorized`'s to report).
 */
export async function withTokenRetry<T>(host: HTMLElement, api: () => SecretManagersClient, work: (api: SecretManagersClient) => Promise<T>): Promise<T> {
  try {
    return await work(api());
  } catch (error) {
    if (!isUnauthorized(error)) throw error;
    emit(host, 'sm-auth-expired', {});
    return work(api());
  }
}
