/**
 * Browsing. Key Vault lists secrets 25 at a time with a `nextLink` and has no server-side
 * name filter (https://learn.microsoft.com/rest/api/keyvault/secrets/get-secrets), so the
 * prefix is applied here and provider pages are read until the caller's page is full.
 * The page token records where to resume: the provider page (its nextLink, or the first
 * page) and how many of its items were already handed out.
 */
import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets';
import { SecretManagerError } from '../../errors.ts';
import type { ListOptions, ListPage } from '../types.ts';
import { withNextLink } from './next-link.ts';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 100;
/** Key Vault's largest `maxresults`. */
const PROVIDER_PAGE_SIZE = 25;
/** Provider pages one call may read while a rare prefix finds little; the rest is for the next call. */
const MAX_PROVIDER_PAGES = 20;

interface Position {
  /** The provider page's nextLink; absent for the first page. */
  link?: string;
  /** Items of that page already handed out or skipped. */
  skip: number;
}

function encode(position: Position): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/**
 * The SDK sends its bearer token to whatever nextLink it is given, so a token only counts
 * if its link points at this vault's own list operation.
 */
function decode(token: string, vaultUrl: string): Position {
  const invalid = new SecretManagerError('INVALID_PATH', 'The page token is not one this list returned: list again from the first page.');
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const { link, skip } = (typeof position === 'object' && position !== null ? position : {}) as Record<string, unknown>;
  if (!Number.isSafeInteger(skip) || (skip as number) < 0) throw invalid;
  if (link === undefined) return { skip: skip as number };
  if (typeof link !== 'string' || !URL.canParse(link)) throw invalid;
  const url = new URL(link);
  if (url.origin !== new URL(vaultUrl).origin || url.pathname !== '/secrets') throw invalid;
  return { link, skip: skip as number };
}

async function providerPage(client: SecretClient, link: string | undefined, signal: AbortSignal): Promise<{ names: string[]; next?: string }> {
  const pages = client.listPropertiesOfSecrets({ abortSignal: signal }).byPage({ maxPageSize: PROVIDER_PAGE_SIZE, ...(link && { continuationToken: link }) });
  const { result, nextLink } = await withNextLink(() => pages.next());
  const names = (result.value ?? []).map((p: SecretProperties) => p.name);
  return nextLink === undefined ? { names } : { names, next: nextLink };
}

export async function listSecretNames(client: SecretClient, vaultUrl: string, options: ListOptions, signal: AbortSignal): Promise<ListPage> {
  const pageSize = Math.min(Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE);
  // Key Vault names are case-insensitive, so is the prefix.
  const prefix = options.prefix?.toLowerCase() ?? '';
  let position: Position = options.pageToken === undefined ? { skip: 0 } : decode(options.pageToken, vaultUrl);
  const names: string[] = [];

  for (let read = 0; read < MAX_PROVIDER_PAGES; read++) {
    const page = await providerPage(client, position.link, signal);
    for (let i = position.skip; i < page.names.length; i++) {
      const name = page.names[i]!;
      if (!name.toLowerCase().startsWith(prefix)) continue;
      names.push(name);
      if (names.length === pageSize) {
        const rest = i + 1 < page.names.length ? { ...position, skip: i + 1 } : page.next ? { link: page.next, skip: 0 } : undefined;
        return rest ? { names, nextPageToken: encode(rest) } : { names };
      }
    }
    if (!page.next) return { names };
    position = { link: page.next, skip: 0 };
  }
  return { names, nextPageToken: encode(position) };
}

/** The connection check's cheap call: one secret's properties, proving the token and the list permission. */
export async function listOne(client: SecretClient, signal: AbortSignal): Promise<void> {
  await client.listPropertiesOfSecrets({ abortSignal: signal }).byPage({ maxPageSize: 1 }).next();
}
