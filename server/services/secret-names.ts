import type { ListSecretNamesInput, ListSecretNamesOutput } from '../../shared/secrets.ts';
import type { ServiceDeps } from './deps.ts';
import { asSeenBy, providerCall, usableConnection, type ResolutionContext } from './resolution.ts';

/** A picker shows one screenful and asks for more on scroll: small pages answer fast on every provider. */
const DEFAULT_PAGE_SIZE = 50;

/**
 * Secret names of a connection the context may use, for browsing. Names are not secret
 * values, so they are not cached (a rename shows at once). When the provider's policy does
 * not allow listing, its PERMISSION_DENIED reaches the caller as a typed error: the
 * picker then lets people type the path instead.
 */
export async function listSecretNames(deps: ServiceDeps, context: ResolutionContext, input: ListSecretNamesInput): Promise<ListSecretNamesOutput> {
  const connection = await usableConnection(deps, context, input.connectionId);
  const page = await providerCall(deps, connection, 'list', (client) =>
    client.list({
      pageSize: input.pageSize ?? DEFAULT_PAGE_SIZE,
      ...(input.prefix && { prefix: input.prefix }),
      ...(input.pageToken && { pageToken: input.pageToken }),
    }),
  ).catch((e: unknown) => {
    throw asSeenBy(context, connection, e, 'list');
  });
  return page.nextPageToken ? { names: page.names, nextPageToken: page.nextPageToken } : { names: page.names };
}
