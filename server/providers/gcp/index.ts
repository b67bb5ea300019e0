/**
 * Google Cloud Secret Manager through the official client (@google-cloud/secret-manager,
 * google-gax). One client per connection keeps its channel and its self-signed JWTs
 * (auth.ts); every public call runs under one budget of `context.timeoutMs`, the client's
 * retries included (transport.ts), and every failure is mapped in errors.ts.
 */
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { gcpDescriptor, type GcpConfig } from '../../../shared/providers/gcp.ts';
import { formatSecretPath, parseSecretPath, type SecretPath } from '../../../shared/secret-path.ts';
import { SecretManagerError } from '../../errors.ts';
import { caCertProblem } from '../ca-cert.ts';
import { Deadline, withRetry } from '../retry.ts';
import type { CheckInfo, ListOptions, ListPage, ProviderAdapter, ProviderClient, ProviderContext, SecretValue } from '../types.ts';
import type { GcpIdentity } from './auth.ts';
import { createGcpErrorMapper, type GcpErrorMapper, type GcpOperation } from './errors.ts';
import { parentName, type GcpScope } from './names.ts';
import { checkGcpPolicy } from './policy.ts';
import { accessSecret, listSecretNames } from './secrets.ts';
import { createTransport, endpointOf } from './transport.ts';

const DEFAULT_BUDGET_MS = 10_000;

/** The path rule of the descriptor, applied again: callers may pass paths parsed without it. */
function normalisePath(path: SecretPath): SecretPath {
  const parsed = parseSecretPath(formatSecretPath(path), gcpDescriptor.pathRule);
  if (!parsed.ok) throw new SecretManagerError('INVALID_PATH', parsed.message);
  return parsed.path;
}

function readOperation(path: SecretPath): GcpOperation {
  return { kind: 'read', secret: path.name, ...(path.version !== undefined && { version: path.version }) };
}

class GcpClient implements ProviderClient {
  readonly #budgetMs: number;
  readonly #sdk: SecretManagerServiceClient;
  readonly #closeTransport: () => Promise<void>;
  readonly #identity: GcpIdentity;
  readonly #mapError: GcpErrorMapper;
  readonly #endpoint: string;
  readonly #scope: GcpScope;
  /** Node would skip a CA it cannot parse and report an untrusted certificate instead. */
  readonly #caProblem: string | undefined;

  constructor(
    private readonly config: GcpConfig,
    context: ProviderContext,
  ) {
    this.#budgetMs = context.timeoutMs > 0 ? context.timeoutMs : DEFAULT_BUDGET_MS;
    this.#caProblem = config.caCert ? caCertProblem(config.caCert) : undefined;
    const { host, port } = endpointOf(config);
    this.#endpoint = port === 443 ? host : `${host}:${port}`;
    const transport = createTransport(config, context.egress);
    this.#sdk = transport.sdk;
    this.#closeTransport = transport.close;
    this.#identity = transport.identity;
    this.#scope = { project: transport.identity.projectId, allowOtherProjects: config.allowOtherProjects === true };
    if (config.location) this.#scope.location = config.location;
    this.#mapError = createGcpErrorMapper({
      where: `Secret Manager at ${this.#endpoint}`,
      identity: this.#identity.describe,
      authMethod: config.authMethod,
      budgetMs: this.#budgetMs,
      credentials: this.#identity.credentials,
    });
  }

  /**
   * ListSecrets with one result proves the credentials. An account that may read but not
   * list (roles/secretmanager.secretAccessor alone, the least-privilege setup) still passes;
   * the test secret, when given, proves reading.
   */
  check(caller?: AbortSignal): Promise<CheckInfo> {
    return this.#withinBudget({ kind: 'check' }, caller, async (deadline, signal) => {
      const scope = this.#scope;
      const parent = parentName(scope);
      const details: NonNullable<CheckInfo['details']> = {
        authMethod: this.config.authMethod,
        project: scope.project,
        endpoint: this.#endpoint,
        transport: this.config.transport ?? 'grpc',
      };
      if (scope.location) details['location'] = scope.location;
      try {
        await listSecretNames(this.#sdk, parent, { pageSize: 1 }, deadline, signal);
        details['listAllowed'] = true;
      } catch (error) {
        const mapped = this.#mapError(error, { kind: 'list', parent });
        if (mapped.code !== 'PERMISSION_DENIED') throw mapped;
        details['listAllowed'] = false;
      }
      if (this.config.testSecretName) {
        const parsed = parseSecretPath(this.config.testSecretName, gcpDescriptor.pathRule);
        if (!parsed.ok) throw new SecretManagerError('INVALID_PATH', `The test secret is not a valid path: ${parsed.message}`);
        const read = await accessSecret(this.#sdk, scope, parsed.path, deadline, signal).catch((error: unknown) => {
          throw this.#mapError(error, readOperation(parsed.path));
        });
        details['testSecret'] = this.config.testSecretName;
        if (read.version !== undefined) details['testSecretVersion'] = read.version;
      }
      const email = this.#identity.email ?? (await this.#ambientEmail());
      return email ? { identity: email, details } : { details };
    });
  }

  async read(path: SecretPath, caller?: AbortSignal): Promise<SecretValue> {
    const normalised = normalisePath(path);
    return this.#withinBudget(readOperation(normalised), caller, (deadline, signal) => accessSecret(this.#sdk, this.#scope, normalised, deadline, signal));
  }

  list(options: ListOptions, caller?: AbortSignal): Promise<ListPage> {
    const parent = parentName(this.#scope);
    return this.#withinBudget({ kind: 'list', parent }, caller, (deadline, signal) => listSecretNames(this.#sdk, parent, options, deadline, signal));
  }

  close(): Promise<void> {
    return this.#closeTransport();
  }

  /** With default credentials, the account's email when the credentials say it (a key file or the metadata server). */
  async #ambientEmail(): Promise<string | undefined> {
    const credentials = await this.#identity.auth.getCredentials().catch(() => undefined);
    return credentials?.client_email;
  }

  /**
   * The client retries by itself; the shared helper only enforces the overall budget, which
   * also covers what the client's own timeout misses: REST calls and asking the default
   * credentials for their email.
   */
  async #withinBudget<T>(operation: GcpOperation, caller: AbortSignal | undefined, work: (deadline: Deadline, signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#caProblem !== undefined) {
      throw new SecretManagerError('CONNECTION_FAILED', `The CA certificate of this connection cannot be used: ${this.#caProblem}.`, {
        hint: 'Paste the CA certificate as PEM, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.',
      });
    }
    const deadline = new Deadline(this.#budgetMs, { signal: caller });
    try {
      return await withRetry(({ signal }) => work(deadline, signal), { deadline, isTransient: () => false, attempts: 1 });
    } catch (error) {
      caller?.throwIfAborted();
      throw this.#mapError(error, operation);
    }
  }
}

export const gcpAdapter: ProviderAdapter<GcpConfig> = {
  connect: (config, context) => new GcpClient(config, context),
  checkPolicy: checkGcpPolicy,
};
