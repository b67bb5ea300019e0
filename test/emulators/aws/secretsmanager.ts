/**
 * The Secrets Manager operations the adapter and the tests use, in JSON 1.1
 * (`X-Amz-Target: secretsmanager.<Op>`), each authorised against the caller's policy.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html
 */
import { isAllowed, type Principal } from './iam.ts';
import type { SecretStore, SecretVersion, StoredSecret } from './secrets.ts';
import type { SecretContent } from './types.ts';
import { AwsError } from './wire.ts';

type Input = Record<string, unknown>;

export interface OperationContext {
  principal: Principal;
  store: SecretStore;
  input: Input;
}

const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);

function stringField(input: Input, name: string, required: true): string;
function stringField(input: Input, name: string, required?: false): string | undefined;
function stringField(input: Input, name: string, required = false): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) {
    if (required) throw new AwsError('ValidationException', `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof value !== 'string') throw new AwsError('SerializationException', `Expected a string for ${name}`);
  return value;
}

function authorize(principal: Principal, action: string, resources: string[]): void {
  const policy = principal.policy();
  if (isAllowed(policy, action, resources)) return;
  const why = isAllowed(policy.map((s) => ({ ...s, effect: 'Allow' as const })), action, resources)
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${action} action`;
  throw new AwsError('AccessDeniedException', `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resources[0]} ${why}`);
}

/** The secret named by `SecretId`, after checking the caller may act on it (or on that id, if it does not exist). */
function secretFor(ctx: OperationContext, action: string): StoredSecret {
  const secretId = stringField(ctx.input, 'SecretId', true);
  let secret: StoredSecret;
  try {
    secret = ctx.store.find(secretId);
  } catch (notFound) {
    authorize(ctx.principal, action, [secretId]);
    throw notFound;
  }
  authorize(ctx.principal, action, [secret.name, secret.arn]);
  return secret;
}

/** SecretString or SecretBinary (base64 in JSON), exactly one. */
function contentOf(input: Input): SecretContent | undefined {
  const text = stringField(input, 'SecretString');
  const binary = stringField(input, 'SecretBinary');
  if (text !== undefined && binary !== undefined) throw invalidParameter('You can\'t specify both a binary secret value and a string secret value in the same secret.');
  return binary !== undefined ? Buffer.from(binary, 'base64') : text;
}

const epochSeconds = (date: Date) => date.getTime() / 1000;

function valueOf(version: SecretVersion): { SecretString: string } | { SecretBinary: string } {
  return typeof version.content === 'string'
    ? { SecretString: version.content }
    : { SecretBinary: Buffer.from(version.content).toString('base64') };
}

function getSecretValue(ctx: OperationContext) {
  const secret = secretFor(ctx, 'secretsmanager:GetSecretValue');
  const version = ctx.store.version(secret, stringField(ctx.input, 'VersionId'), stringField(ctx.input, 'VersionStage'));
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.id,
    ...valueOf(version),
    VersionStages: [...version.stages],
    CreatedDate: epochSeconds(version.created),
  };
}

function putSecretValue(ctx: OperationContext) {
  const secret = secretFor(ctx, 'secretsmanager:PutSecretValue');
  const content = contentOf(ctx.input);
  if (content === undefined) throw invalidParameter('You must provide either SecretString or SecretBinary.');
  const stages = ctx.input['VersionStages'];
  const version = ctx.store.put(secret, content, {
    versionId: stringField(ctx.input, 'ClientRequestToken'),
    stages: Array.isArray(stages) ? stages.map(String) : undefined,
  });
  return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
}

function createSecret(ctx: OperationContext) {
  const name = stringField(ctx.input, 'Name', true);
  authorize(ctx.principal, 'secretsmanager:CreateSecret', [name]);
  const { secret, versionId } = ctx.store.create(name, contentOf(ctx.input), { versionId: stringField(ctx.input, 'ClientRequestToken') });
  return { ARN: secret.arn, Name: secret.name, ...(versionId !== undefined && { VersionId: versionId }) };
}

/** Name filters: prefix matches, case-sensitive; values starting with `!` exclude. */
function nameFilter(filters: unknown): (name: string) => boolean {
  if (filters === undefined) return () => true;
  if (!Array.isArray(filters)) throw new AwsError('SerializationException', 'Expected a list for Filters');
  const values: string[] = [];
  for (const filter of filters as Input[]) {
    if (filter['Key'] !== 'name') throw invalidParameter(`This emulator filters by name only, not by ${String(filter['Key'])}.`);
    values.push(...(Array.isArray(filter['Values']) ? filter['Values'].map(String) : []));
  }
  const include = values.filter((v) => !v.startsWith('!'));
  const exclude = values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  return (name) => (include.length === 0 || include.some((p) => name.startsWith(p))) && !exclude.some((p) => name.startsWith(p));
}

/** Authorised on resource `*`, as in IAM: ListSecrets cannot be scoped to secrets. */
function listSecrets(ctx: OperationContext) {
  authorize(ctx.principal, 'secretsmanager:ListSecrets', ['*']);
  const maxResults = ctx.input['MaxResults'] ?? 100;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`);
  }
  const token = stringField(ctx.input, 'NextToken');
  const after = token === undefined ? undefined : Buffer.from(token, 'base64url').toString('utf8');
  if (after !== undefined && !after.startsWith('after:')) throw new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');
  const matches = nameFilter(ctx.input['Filters']);
  const all = ctx.store.all().filter((s) => matches(s.name) && (after === undefined || s.name > after.slice('after:'.length)));
  const page = all.slice(0, maxResults);
  const last = page.at(-1);
  return {
    SecretList: page.map((s) => ({
      ARN: s.arn,
      Name: s.name,
      CreatedDate: epochSeconds(s.created),
      LastChangedDate: epochSeconds(s.lastChanged),
      SecretVersionsToStages: Object.fromEntries([...s.versions.values()].filter((v) => v.stages.size > 0).map((v) => [v.id, [...v.stages]])),
    })),
    ...(all.length > maxResults && last && { NextToken: Buffer.from(`after:${last.name}`).toString('base64url') }),
  };
}

export const secretsManagerOperations: Record<string, (ctx: OperationContext) => unknown> = {
  GetSecretValue: getSecretValue,
  PutSecretValue: putSecretValue,
  CreateSecret: createSecret,
  ListSecrets: listSecrets,
};
