/**
 * STS AssumeRole in the Query protocol: a form-encoded POST answered in XML.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import type { Identities, Principal } from './iam.ts';
import { AwsError, escapeXml, xmlReply, type Reply } from './wire.ts';

const validation = (message: string) => new AwsError('ValidationError', `1 validation error detected: ${message}`);

function assumeRole(identities: Identities, caller: Principal, params: URLSearchParams): Reply {
  const roleArn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  if (!roleArn) throw validation("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  if (!sessionName || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw validation(`Value '${sessionName ?? 'null'}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
  }
  const durationSeconds = Number(params.get('DurationSeconds') ?? 3600);
  if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) {
    throw validation(`Value '${params.get('DurationSeconds')}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
  }
  const externalId = params.get('ExternalId') ?? undefined;
  const { credentials, assumedRoleArn, assumedRoleId } = identities.assumeRole(caller, { roleArn, sessionName, externalId, durationSeconds });
  return xmlReply(
    'AssumeRole',
    `<AssumedRoleUser><AssumedRoleId>${escapeXml(assumedRoleId)}</AssumedRoleId><Arn>${escapeXml(assumedRoleArn)}</Arn></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>` +
      `<SessionToken>${credentials.sessionToken}</SessionToken><Expiration>${credentials.expiration.toISOString()}</Expiration></Credentials>`,
  );
}

/** `Action` of a Query request, for counting it before authentication. */
export function stsAction(params: URLSearchParams): string {
  return params.get('Action') ?? 'unknown';
}

export function handleSts(identities: Identities, caller: Principal, params: URLSearchParams): Reply {
  const action = stsAction(params);
  if (action !== 'AssumeRole') throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`);
  return assumeRole(identities, caller, params);
}
