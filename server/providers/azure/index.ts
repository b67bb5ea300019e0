/**
 * Azure Key Vault through @azure/keyvault-secrets and @azure/identity. One SecretClient
 * and credential per connection keep the token (credential.ts); one HTTPS agent carries
 * an optional private CA (transport.ts); every failure is mapped in errors.ts. Each
 * public call runs under one budget of `context.timeoutMs` — sign-in, paging and the
 * SDK's own retries of throttling, 5xx and dropped connections included.
 */
import type { Agent } from 'node:https';
import { SecretClient } from '@azure/keyvault-secrets';
import { azureDescriptor, type AzureConfig } from '../../../shared/providers/azure.ts';
import type { SecretPath } from '../../../shared/secret-path.ts';
import { SecretManagerError } from '../../errors.ts';
import { selectValue } from '../json-key.ts';
import { Deadline, withRetry } from '../retry.ts';
import type { CheckInfo, ListOptions, ListPage, ProviderAdapter, ProviderClient, ProviderContext, SecretValue } from '../types.ts';
import { probeAuthority } from './authority-probe.ts';
import { certificateProblem, createCredential, credentialsOf } from './credential.ts';
import { azureEndpoints, checkAzurePolicy, type AzureEndpoints } from './endpoints.ts';
import { createAzureErrorMapper, isAuthorityDiscoveryFailure, type AzureErrorMapper, type AzureOperation } from './errors.ts';
import { listOne, listSecretNames } from './list.ts';
import { nextLinkRecorder } from './next-link.ts';
import { caCertProblem } from '../ca-cert.ts';
import { createAgent } from './transport.ts';

/**
 * The SDK retries 5xx, 408, dropped and refused connections with exponential backoff, and
 * 429/503 after their Retry-After; kept short so that retries fit in the budget.
 */
const RETRY_OPTIONS = { maxRetries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 2_000 };

/** A config problem found before anything is sent: each call fails with it. */
function setupProblem(config: AzureConfig): SecretManagerError | undefined {
  const ca = config.caCert ? caCertProblem(config.caCert) : undefined;
  if (ca !== undefined) {
    return new SecretManagerError('CONNECTION_FAILED', `The CA certificate of this connection cannot be used: ${ca}.`, {
      hint: 'Paste the CA certificate as PEM, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.',
    });
  }
  const cert = config.authMethod === 'clientCertificate' ? certificateProblem(config.certificate) : undefined;
  if (cert !== undefined) {
    return new SecretManagerError('AUTHENTICATION_FAILED', `The client certificate cannot be used: ${cert}.`, {
      hint: 'Paste the unencrypted RSA private key followed by its certificate, both in PEM.',
    });
  }
  return undefined;
}

class AzureClient implements ProviderClient {
  readonly #config: AzureConfig;
  readonly #budgetMs: number;
  readonly #endpoints: AzureEndpoints;
  readonly #agent: Agent;
  readonly #client: SecretClient;
  readonly #mapError: AzureErrorMapper;
  readonly #problem: SecretManagerError | undefined;

  constructor(config: AzureConfig, context: ProviderContext) {
    this.#config = config;
    this.#budgetMs = context.timeoutMs;
    this.#endpoints = azureEndpoints(config);
    this.#problem = setupProblem(config);
    this.#agent = createAgent(context.egress, config.caCert);
    const pipeline = {
      agent: this.#agent,
      retryOptions: RETRY_OPTIONS,
      // A redirect would carry the request (and the credential's form post) somewhere the admin did not enter.
      redirectOptions: { maxRetries: 0 },
      userAgentOptions: { userAgentPrefix: 'secret-managers' },
    };
    this.#client = new SecretClient(this.#endpoints.vaultUrl, createCredential(config, this.#endpoints, pipeline), {
      ...pipeline,
      // The SDK insists the challenge's resource (vault.azure.net…) matches the vault's host;
      // a host the operator allowed outside the cloud's suffix (emulator, private DNS) cannot.
      disableChallengeResourceVerification: this.#endpoints.customVault,
      additionalPolicies: [nextLinkRecorder],
    });
    this.#mapError = createAzureErrorMapper({
      vaultUrl: this.#endpoints.vaultUrl,
      authorityHost: this.#endpoints.authorityHost,
      authMethod: config.authMethod,
      ...(config.authMethod !== 'managedIdentity' && { tenantId: config.tenantId }),
      ...(config.clientId !== undefined && { clientId: config.clientId }),
      budgetMs: this.#budgetMs,
      credentials: credentialsOf(config),
    });
    context.logger.child({ provider: 'azure' }).debug({ vault: new URL(this.#endpoints.vaultUrl).host, authMethod: config.authMethod }, 'azure key vault client created');
  }

  /** Lists one secret (proves the sign-in and the vault's answer), then reads the test secret if one is set. */
  async check(signal?: AbortSignal): Promise<CheckInfo> {
    const deadline = new Deadline(this.#budgetMs, { signal });
    const config = this.#config;
    const details: NonNullable<CheckInfo['details']> = { vaultUrl: this.#endpoints.vaultUrl, cloud: config.cloud, authMethod: config.authMethod };
    if (config.authMethod !== 'managedIdentity') details['tenantId'] = config.tenantId;
    try {
      await this.#run(deadline, { kind: 'list' }, (signal) => listOne(this.#client, signal));
      details['listAllowed'] = true;
    } catch (error) {
      // Least-privilege identities may read named secrets without listing; the 403 still proves the sign-in.
      if (!(error instanceof SecretManagerError && error.code === 'PERMISSION_DENIED')) throw error;
      details['listAllowed'] = false;
    }
    if (config.testSecretName) {
      const read = await this.#read({ name: config.testSecretName }, deadline);
      details['testSecretName'] = config.testSecretName;
      if (read.version !== undefined) details['testSecretVersion'] = read.version;
    }
    const identity =
      config.authMethod === 'managedIdentity'
        ? `managed identity ${config.clientId ?? '(system-assigned)'}`
        : `app ${config.clientId} in tenant ${config.tenantId}`;
    return { identity, details };
  }

  read(path: SecretPath, signal?: AbortSignal): Promise<SecretValue> {
    return this.#read(path, new Deadline(this.#budgetMs, { signal }));
  }

  list(options: ListOptions, signal?: AbortSignal): Promise<ListPage> {
    return this.#run(new Deadline(this.#budgetMs, { signal }), { kind: 'list' }, (signal) => listSecretNames(this.#client, this.#endpoints.vaultUrl, options, signal));
  }

  async close(): Promise<void> {
    this.#agent.destroy();
  }

  async #read(path: SecretPath, deadline: Deadline): Promise<SecretValue> {
    // Paths may come parsed without the provider's rule (name/version, case of the version).
    const normalised = azureDescriptor.pathRule(path);
    if (typeof normalised === 'string') throw new SecretManagerError('INVALID_PATH', normalised);
    const { name, version, key } = normalised;
    const secret = await this.#run(deadline, { kind: 'read', name, ...(version && { version }) }, (signal) =>
      this.#client.getSecret(name, { abortSignal: signal, ...(version && { version }) }),
    );
    return selectValue(secret.value ?? '', key, secret.properties.version);
  }

  /**
   * Runs one SDK call within the deadline. The SDK retries on its own, so withRetry is
   * used for its budget only: it aborts the call, and gives up even where the SDK does
   * not pass the signal on (paging through nextLink).
   */
  async #run<T>(deadline: Deadline, operation: AzureOperation, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#problem) throw this.#problem;
    try {
      return await withRetry(({ signal }) => call(signal), { deadline, attempts: 1, isTransient: () => false });
    } catch (error) {
      deadline.signal?.throwIfAborted();
      const probe =
        isAuthorityDiscoveryFailure(error) && this.#config.authMethod !== 'managedIdentity'
          ? await probeAuthority(this.#endpoints.authorityHost, this.#config.tenantId, this.#agent, deadline.remainingMs())
          : undefined;
      throw this.#mapError(error, operation, probe);
    }
  }
}

export const azureAdapter: ProviderAdapter<AzureConfig> = {
  connect: (config, context) => new AzureClient(config, context),
  checkPolicy: checkAzurePolicy,
};
