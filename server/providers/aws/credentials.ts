/**
 * The credentials each auth method signs with. Static keys are used as given; the
 * server's own identity comes from the SDK's default chain (environment, profile, SSO,
 * web identity, container and instance roles); an assumed role comes from STS AssumeRole.
 * The SDK memoizes every credential provider it is given and calls it again five
 * minutes before the credentials expire, so a role is assumed once per session rather
 * than per read, and renewed in time.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/nested-clients/sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Logger } from 'pino';
import type { AwsConfig } from '../../../shared/providers/aws.ts';
import type { AwsErrorMapper } from './errors.ts';
import { createStsClient, type Agents, type Endpoints } from './transport.ts';

const DEFAULT_SESSION_NAME = 'secret-managers';
/** AWS's default session length; the SDK renews five minutes before the end. */
const SESSION_SECONDS = 3600;

export interface CredentialSource {
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The assumed-role session ARN, once a role was assumed. */
  identity(): string | undefined;
  close(): void;
}

function staticKeys(config: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined }): AwsCredentialIdentity {
  return {
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    ...(config.sessionToken && { sessionToken: config.sessionToken }),
  };
}

export function credentialSource(
  config: AwsConfig,
  deps: {
    endpoints: Endpoints;
    agents: Agents;
    budgetMs: number;
    mapError: AwsErrorMapper;
    /** Issued credentials are added here, so that error messages redact them too. */
    redactions: Set<string>;
    logger: Logger;
  },
): CredentialSource {
  switch (config.authMethod) {
    case 'accessKey':
      return { credentials: staticKeys(config), identity: () => undefined, close: () => undefined };
    case 'ambient':
      return { credentials: defaultProvider(), identity: () => undefined, close: () => undefined };
    case 'assumeRole': {
      const base =
        config.accessKeyId && config.secretAccessKey
          ? staticKeys({ accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, sessionToken: config.sessionToken })
          : defaultProvider();
      const sts = createStsClient(deps.endpoints, base, deps.budgetMs, deps.agents);
      let sessionArn: string | undefined;
      const assume = async (): Promise<AwsCredentialIdentity> => {
        const issued = await assumeRole(sts, config).catch((error: unknown) => {
          throw deps.mapError(error, { kind: 'assumeRole', roleArn: config.roleArn });
        });
        sessionArn = issued.sessionArn;
        deps.redactions.add(issued.credentials.secretAccessKey);
        if (issued.credentials.sessionToken) deps.redactions.add(issued.credentials.sessionToken);
        deps.logger.debug({ roleArn: config.roleArn, expiresAt: issued.credentials.expiration?.toISOString() }, 'assumed AWS role');
        return issued.credentials;
      };
      return { credentials: assume, identity: () => sessionArn, close: () => sts.destroy() };
    }
  }
}

async function assumeRole(sts: STSClient, config: Extract<AwsConfig, { authMethod: 'assumeRole' }>) {
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: config.roleArn,
      RoleSessionName: config.sessionName ?? DEFAULT_SESSION_NAME,
      DurationSeconds: SESSION_SECONDS,
      ...(config.externalId && { ExternalId: config.externalId }),
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS AssumeRole answered without credentials');
  return {
    sessionArn: out.AssumedRoleUser?.Arn,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken && { sessionToken: c.SessionToken }),
      ...(c.Expiration && { expiration: c.Expiration }),
    } satisfies AwsCredentialIdentity,
  };
}
