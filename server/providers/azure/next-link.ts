/**
 * Key Vault's list answers carry a `nextLink`, but @azure/keyvault-secrets 4.11.2 loses it:
 * `listPropertiesOfSecrets().byPage()` maps each page with `page.map(…)`, dropping the
 * page's `continuationToken` (resuming *from* a link still works). This pipeline policy
 * reads the link off the raw answer for the list call running in the same async context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SecretClientOptions } from '@azure/keyvault-secrets';

type AdditionalPolicy = NonNullable<SecretClientOptions['additionalPolicies']>[number];

interface Slot {
  nextLink?: string;
}

const slots = new AsyncLocalStorage<Slot>();

export const nextLinkRecorder: AdditionalPolicy = {
  position: 'perCall',
  policy: {
    name: 'secretManagersNextLinkRecorder',
    async sendRequest(request, next) {
      const response = await next(request);
      const slot = slots.getStore();
      if (slot && response.status === 200 && response.bodyAsText && new URL(request.url).pathname === '/secrets') {
        try {
          const { nextLink } = JSON.parse(response.bodyAsText) as { nextLink?: unknown };
          slot.nextLink = typeof nextLink === 'string' && nextLink !== '' ? nextLink : undefined;
        } catch {
          // Not JSON: the SDK reports the answer itself.
        }
      }
      return response;
    },
  },
};

/** Runs one page read and returns what the list answer said comes next. */
export async function withNextLink<T>(read: () => Promise<T>): Promise<{ result: T; nextLink?: string }> {
  const slot: Slot = {};
  const result = await slots.run(slot, read);
  return slot.nextLink === undefined ? { result } : { result, nextLink: slot.nextLink };
}
