/**
 * The two RPCs the adapter makes: AccessSecretVersion (payload checked against its CRC32C)
 * and ListSecrets (one page, names only).
 * https://cloud.google.com/secret-manager/docs/reference/rpc/google.cloud.secretmanager.v1#secretmanagerservice
 */
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { GCP_SECRET_NAME } from '../../../shared/providers/gcp.ts';
import type { SecretPath } from '../../../shared/secret-path.ts';
import { SecretManagerError } from '../../errors.ts';
import { selectValue } from '../json-key.ts';
import type { Deadline } from '../retry.ts';
import type { ListOptions, ListPage, SecretValue } from '../types.ts';
import { crc32c } from './crc32c.ts';
import { shortName, versionName, versionOf, type GcpScope } from './names.ts';
import { invoke } from './transport.ts';

const MAX_PAGE_SIZE = 25_000;

/**
 * Text as stored. A payload that is not UTF-8 (a keystore, say) comes back base64-encoded:
 * decoding it as text would corrupt it, and base64 is how binary goes into a text field.
 */
function payloadText(data: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return Buffer.from(data).toString('base64');
  }
}

export async function accessSecret(sdk: SecretManagerServiceClient, scope: GcpScope, path: SecretPath, deadline: Deadline, signal: AbortSignal): Promise<SecretValue> {
  const name = versionName(scope, path);
  const [response] = await invoke(deadline, signal, (options) => sdk.accessSecretVersion({ name }, options));
  const raw = response.payload?.data;
  const data = typeof raw === 'string' ? Buffer.from(raw, 'base64') : (raw ?? new Uint8Array());
  const expected = response.payload?.dataCrc32c;
  if (expected != null && String(expected) !== String(crc32c(data))) {
    throw new SecretManagerError('PROVIDER_ERROR', `The payload of "${path.name}" arrived corrupted (its CRC32C checksum does not match); try again.`);
  }
  return selectValue(payloadText(data), path.key, versionOf(response.name ?? '') ?? path.version);
}

/**
 * ListSecrets' filter `name:TEXT` matches names that contain TEXT anywhere (and in the
 * project part of the resource name too), so it only narrows the page on the server; the
 * prefix itself is applied here, which can leave a page short or empty with more to come.
 * https://cloud.google.com/secret-manager/docs/filtering
 */
export async function listSecretNames(sdk: SecretManagerServiceClient, parent: string, options: ListOptions, deadline: Deadline, signal: AbortSignal): Promise<ListPage> {
  const prefix = options.prefix ?? '';
  // No secret name holds other characters, so nothing can match.
  if (prefix !== '' && !GCP_SECRET_NAME.test(prefix)) return { names: [] };
  const request = {
    parent,
    ...(options.pageSize !== undefined && { pageSize: Math.min(Math.max(Math.trunc(options.pageSize), 1), MAX_PAGE_SIZE) }),
    ...(options.pageToken && { pageToken: options.pageToken }),
    // A leading "-" would read as NOT in the filter language.
    ...(prefix !== '' && !prefix.startsWith('-') && { filter: `name:${prefix}` }),
  };
  const [secrets, , response] = await invoke(deadline, signal, (callOptions) => sdk.listSecrets(request, { ...callOptions, autoPaginate: false }));
  const names = secrets.map((secret) => shortName(secret.name ?? '')).filter((name) => name !== '' && name.startsWith(prefix));
  return response?.nextPageToken ? { names, nextPageToken: response.nextPageToken } : { names };
}
