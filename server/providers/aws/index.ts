/**
 * AWS Secrets Manager through the official SDK. One SecretsManagerClient per connection
 * keeps its credentials (assumed roles are renewed by the SDK before they expire,
 * credentials.ts) and retries throttling and 5xx answers itself; every public call runs
 * under one budget of `context.timeoutMs`, retries and AssumeRole included, and every
 * failure is mapped to the taxonomy in errors.ts.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsDescriptor, type AwsConfig } from '../../../shared/providers/aws.ts';
import { parseSecretPath, type SecretPath } from '../../../shared/secret-path.ts';
import { SecretManagerError } from '../../errors.ts';
import { Deadline, withRetry } from '../retry.ts';
import type { CheckInfo, ListOptions, ListPage, ProviderAdapter, ProviderClient, ProviderContext, SecretValue } from '../types.ts';
import { credentialSource, type CredentialSource } from './credentials.ts';
import { createAwsErrorMapper, isAccessDenied, type AwsErrorMapper, type AwsOperation } from './errors.ts';
import { checkAwsPolicy, isAwsEndpoint } from './policy.ts';
import { listOne, listSecretNames, readSecret } from './secrets.ts';
import { createSecretsManagerClient, guardedAgents, type Agents, type Endpoints } from './transport.ts';

const DEFAULT_BUDGET_MS = 10_000;

function credentialsOf(config: AwsConfig): string[] {
  switch (config.authMethod) {
    case 'accessKey':
      return [config.accessKeyId, config.secretAccessKey, config.sessionToken].filter((s): s is string => !!s);
    case 'assumeRole':
      return [config.accessKeyId, config.secretAccessKey, config.sessionToken, config.externalId].filter((s): s is string => !!s);
    case 'ambient':
      return [];
  }
}

/**
 * STS goes where Secrets Manager goes when that is not AWS (an emulator serves both);
 * with an AWS endpoint (VPC, FIPS) STS keeps its own regional endpoint unless stated.
 */
function endpointsOf(config: AwsConfig): Endpoints {
  const sts = config.authMethod === 'assumeRole' ? config.stsEndpoint : undefined;
  const custom = config.endpoint && !isAwsEndpoint(config.endpoint) ? config.endpoint : undefined;
  return { region: config.region, secretsManager: config.endpoint, sts: sts ?? custom };
}

/** The path rule of the descriptor, applied again: callers may pass paths parsed without it. */
function normalisePath(path: SecretPath): SecretPath {
  const normalised = awsDescriptor.pathRule(path);
  if (typeof normalised === 'string') throw new SecretManagerError('INVALID_PATH', normalised);
  return normalised;
}

function readOperation(path: SecretPath): AwsOperation {
  return { kind: 'read', secret: path.name, ...(path.version !== undefined && { version: path.version }) };
}

class AwsClient implements ProviderClient {
  readonly #budgetMs: number;
  readonly #mapError: AwsErrorMapper;
  readonly #credentials: CredentialSource;
  readonly #sdk: SecretsManagerClient;
  readonly #agents: Agents;

  constructor(
    private readonly config: AwsConfig,
    context: ProviderContext,
  ) {
    this.#budgetMs = context.timeoutMs > 0 ? context.timeoutMs : DEFAULT_BUDGET_MS;
    const endpoints = endpointsOf(config);
    const redactions = new Set(credentialsOf(config));
    const where = config.endpoint ? `AWS Secrets Manager at ${new URL(config.endpoint).host}` : `AWS Secrets Manager in ${config.region}`;
    this.#mapError = createAwsErrorMapper({ where, budgetMs: this.#budgetMs, credentials: redactions });
    this.#agents = guardedAgents(context.egress);
    this.#credentials = credentialSource(config, {
      endpoints,
      agents: this.#agents,
      budgetMs: this.#budgetMs,
      mapError: this.#mapError,
      redactions,
      logger: context.logger.child({ provider: 'aws' }),
    });
    this.#sdk = createSecretsManagerClient(endpoints, this.#credentials.credentials, this.#agents);
  }

  /**
   * ListSecrets with one result proves the credentials. A policy that denies listing
   * still passes (it is a valid, least-privilege setup); the test secret, when given,
   * proves reading.
   */
  check(caller?: AbortSignal): Promise<CheckInfo> {
    return this.#withinBudget({ kind: 'list' }, caller, async (signal) => {
      const details: NonNullable<CheckInfo['details']> = { authMethod: this.config.authMethod, region: this.config.region };
      if (this.config.endpoint) details['endpoint'] = this.config.endpoint;
      if (this.config.authMethod === 'assumeRole') details['roleArn'] = this.config.roleArn;
      try {
        await listOne(this.#sdk, signal);
        details['listAllowed'] = true;
      } catch (error) {
        if (!isAccessDenied(error)) throw this.#mapError(error, { kind: 'list' });
        details['listAllowed'] = false;
      }
      if (this.config.testSecretName) {
        const parsed = parseSecretPath(this.config.testSecretName, awsDescriptor.pathRule);
        if (!parsed.ok) throw new SecretManagerError('INVALID_PATH', `The test secret is not a valid path: ${parsed.message}`);
        const read = await readSecret(this.#sdk, parsed.path, signal).catch((error: unknown) => {
          throw this.#mapError(error, readOperation(parsed.path));
        });
        details['testSecret'] = this.config.testSecretName;
        if (read.version !== undefined) details['testSecretVersion'] = read.version;
      }
      const identity = this.#credentials.identity();
      return identity ? { identity, details } : { details };
    });
  }

  async read(path: SecretPath, caller?: AbortSignal): Promise<SecretValue> {
    const normalised = normalisePath(path);
    return this.#withinBudget(readOperation(normalised), caller, (signal) => readSecret(this.#sdk, normalised, signal));
  }

  list(options: ListOptions, caller?: AbortSignal): Promise<ListPage> {
    return this.#withinBudget({ kind: 'list' }, caller, (signal) => listSecretNames(this.#sdk, options, signal));
  }

  async close(): Promise<void> {
    this.#sdk.destroy();
    this.#credentials.close();
    this.#agents.httpAgent.destroy();
    this.#agents.httpsAgent.destroy();
  }

  /**
   * The SDK retries by itself; the shared helper only enforces the overall budget, which
   * also covers credential resolution (AssumeRole), where the SDK's abort signal does not reach.
   */
  async #withinBudget<T>(operation: AwsOperation, caller: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      const deadline = new Deadline(this.#budgetMs, { signal: caller });
      return await withRetry(({ signal }) => work(signal), { deadline, isTransient: () => false, attempts: 1 });
    } catch (error) {
      caller?.throwIfAborted();
      throw this.#mapError(error, operation);
    }
  }
}

export const awsAdapter: ProviderAdapter<AwsConfig> = {
  connect: (config, context) => new AwsClient(config, context),
  checkPolicy: checkAwsPolicy,
};
