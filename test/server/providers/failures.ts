import { expect } from 'vitest';
import { SecretManagerError } from '../../../server/errors.ts';
import type { SecretManagerErrorCode } from '../../../shared/errors.ts';

/**
 * `failure(promise, code)` asserts that a provider call fails with `code`, and keeps every
 * message and hint it produced in `messages`, so a suite can check at its end that no
 * credential ever appeared in one.
 */
export function failureCollector() {
  const messages: string[] = [];
  async function failure(promise: Promise<unknown>, code: SecretManagerErrorCode): Promise<SecretManagerError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecretManagerError);
    const smError = error as SecretManagerError;
    messages.push(smError.message, smError.hint);
    expect(smError.code, smError.message).toBe(code);
    return smError;
  }
  return { messages, failure };
}
