/**
 * Reading and listing secrets with the SDK. Errors are left to the caller, which knows
 * the operation and maps them (errors.ts).
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecrets.html
 */
import { GetSecretValueCommand, ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsVersionKind } from '../../../shared/providers/aws.ts';
import type { SecretPath } from '../../../shared/secret-path.ts';
import { SecretManagerError } from '../../errors.ts';
import { selectValue } from '../json-key.ts';
import type { ListOptions, ListPage, SecretValue } from '../types.ts';

/**
 * A binary secret is returned as base64, unless a key is asked for: then its bytes are
 * read as JSON text (binary secrets often hold UTF-8 JSON written by other tools).
 */
export async function readSecret(client: SecretsManagerClient, path: SecretPath, abortSignal: AbortSignal): Promise<SecretValue> {
  const pinned = path.version === undefined ? {} : awsVersionKind(path.version) === 'versionId' ? { VersionId: path.version } : { VersionStage: path.version };
  const out = await client.send(new GetSecretValueCommand({ SecretId: path.name, ...pinned }), { abortSignal });
  if (out.SecretString !== undefined) return selectValue(out.SecretString, path.key, out.VersionId);
  if (out.SecretBinary !== undefined) {
    const bytes = Buffer.from(out.SecretBinary);
    const asText = selectValue(bytes.toString('utf8'), path.key, out.VersionId);
    return path.key === undefined ? { ...asText, value: bytes.toString('base64') } : asText;
  }
  throw new SecretManagerError('SECRET_NOT_FOUND', `The secret "${path.name}" has no value in this version.`);
}

/** What a secret name can start with: letters, digits and /_+=.@- (also valid as a filter value). */
const NAME_PREFIX = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/**
 * The `name` filter is a case-sensitive prefix match done by AWS, so pages hold only
 * matching names; a prefix no name can start with lists nothing without asking.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Filter.html
 */
export async function listSecretNames(client: SecretsManagerClient, options: ListOptions, abortSignal: AbortSignal): Promise<ListPage> {
  if (options.prefix && !NAME_PREFIX.test(options.prefix)) return { names: [] };
  const out = await client.send(
    new ListSecretsCommand({
      MaxResults: Math.min(100, Math.max(1, options.pageSize ?? 100)),
      ...(options.prefix && { Filters: [{ Key: 'name', Values: [options.prefix] }] }),
      ...(options.pageToken && { NextToken: options.pageToken }),
    }),
    { abortSignal },
  );
  const names = (out.SecretList ?? []).flatMap((s) => (s.Name ? [s.Name] : []));
  return out.NextToken ? { names, nextPageToken: out.NextToken } : { names };
}

/** The cheapest call that proves the credentials: one name at most. */
export async function listOne(client: SecretsManagerClient, abortSignal: AbortSignal): Promise<void> {
  await client.send(new ListSecretsCommand({ MaxResults: 1 }), { abortSignal });
}
