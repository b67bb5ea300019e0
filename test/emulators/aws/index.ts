/**
 * An in-process emulator of AWS Secrets Manager (JSON 1.1) and STS AssumeRole (Query),
 * verifying real SigV4 signatures against the identities it was given. See
 * /work/shared/PROVIDERS.md ("AWS Secrets Manager") for what the SDK sends.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFaults, createStats } from './faults.ts';
import { Identities } from './iam.ts';
import { SecretStore } from './secrets.ts';
import { requestListener } from './server.ts';
import type { AwsEmulator, AwsEmulatorOptions } from './types.ts';

export type {
  AwsAccessKey,
  AwsEmulator,
  AwsEmulatorOptions,
  AwsFaults,
  AwsPolicyStatement,
  AwsRoleOptions,
  AwsSessionCredentials,
  AwsStats,
  SecretContent,
  SecretWriteOptions,
} from './types.ts';
export { seedAwsDemo } from './demo.ts';

export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const identities = new Identities(accountId);
  const store = new SecretStore(`arn:aws:secretsmanager:${region}:${accountId}:secret:`);
  const faults = createFaults();
  const stats = createStats();
  const closing = new AbortController();
  const server = createServer(requestListener({ region, identities, store, faults, stats, closing: closing.signal }));

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    region,
    accountId,
    faults,
    stats,
    createUser: (name, policy) => identities.createUser(name, policy),
    setUserPolicy: (name, policy) => identities.setUserPolicy(name, policy),
    issueSessionCredentials: (userName, opts) => identities.issueUserSession(userName, opts?.ttlSeconds ?? 3600),
    createRole: (name, opts) => identities.createRole(name, opts),
    createSecret(name, value, opts) {
      const { secret, versionId } = store.create(name, value, opts);
      return { arn: secret.arn, versionId: versionId! };
    },
    putSecretValue: (name, value, opts) => store.put(store.find(name), value, opts).id,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDK keeps sockets alive; they would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
