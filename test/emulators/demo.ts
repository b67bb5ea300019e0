import type { ProviderId } from '../../shared/providers/index.ts';
import { seedAwsDemo, startAwsEmulator } from './aws/index.ts';
import { seedAzureDemo, startAzureEmulator } from './azure/index.ts';
import { seedGcpDemo, startGcpEmulator } from './gcp/index.ts';
import { seedVaultDemo, startVaultEmulator } from './vault/index.ts';

/** A running emulator with demo secrets, and the connection that reaches it. */
export interface DemoEmulator {
  url: string;
  /** What to print for a person: credentials to try by hand. */
  lines: string[];
  connection: { name: string; provider: ProviderId; authMethod: string; scope: 'PLATFORM' | 'PROJECT'; config: Record<string, unknown> };
  close(): Promise<void>;
}

export interface DemoOptions {
  port?: number;
  rootToken?: string;
}

/**
 * One entry per provider that has an emulator: used by `npm run demo` and by
 * `secret-managers emulator <provider>`. The demo scopes Vault to the whole platform and
 * AWS to one project, so both scopes can be seen at once.
 */
export const demoEmulators = {
  async vault(options: DemoOptions): Promise<DemoEmulator> {
    const vault = await startVaultEmulator({ port: options.port ?? 0, ...(options.rootToken && { rootToken: options.rootToken }) });
    const demo = seedVaultDemo(vault);
    return {
      url: vault.url,
      lines: [`root token ${vault.rootToken}`, `read-only token ${demo.token}`, `AppRole role_id ${demo.roleId} secret_id ${demo.secretId}`],
      connection: {
        name: 'Demo Vault',
        provider: 'vault',
        authMethod: 'approle',
        scope: 'PLATFORM',
        config: { url: vault.url, kvMount: 'secret', kvVersion: 2, roleId: demo.roleId, secretId: demo.secretId },
      },
      close: () => vault.close(),
    };
  },
  async aws(options: DemoOptions): Promise<DemoEmulator> {
    const aws = await startAwsEmulator({ port: options.port ?? 0 });
    const demo = seedAwsDemo(aws);
    return {
      url: aws.url,
      lines: [`region ${demo.region}`, `access key ${demo.accessKeyId} / ${demo.secretAccessKey}`, `role ${demo.roleArn} (external id ${demo.externalId})`],
      connection: {
        name: 'Demo AWS Secrets Manager',
        provider: 'aws',
        authMethod: 'accessKey',
        scope: 'PROJECT',
        config: { region: demo.region, endpoint: demo.endpoint, accessKeyId: demo.accessKeyId, secretAccessKey: demo.secretAccessKey },
      },
      close: () => aws.close(),
    };
  },
  async azure(options: DemoOptions): Promise<DemoEmulator> {
    const azure = await startAzureEmulator({ port: options.port ?? 0 });
    const demo = seedAzureDemo(azure);
    const { authMethod, ...config } = demo.config;
    return {
      url: azure.url,
      lines: [`tenant ${demo.tenantId}`, `client ${demo.clientId} / ${demo.clientSecret}`, 'HTTPS with a CA made for this run (in the demo connection)'],
      connection: { name: 'Demo Azure Key Vault', provider: 'azure', authMethod, scope: 'PLATFORM', config },
      close: () => azure.close(),
    };
  },
  async gcp(options: DemoOptions): Promise<DemoEmulator> {
    const gcp = await startGcpEmulator({ port: options.port ?? 0 });
    const demo = seedGcpDemo(gcp);
    const { authMethod, ...config } = demo.config;
    return {
      url: gcp.url,
      lines: [`project ${demo.projectId}`, 'gRPC over TLS with a CA made for this run; the service account key is in the demo connection'],
      connection: { name: 'Demo Google Secret Manager', provider: 'gcp', authMethod, scope: 'PLATFORM', config },
      close: () => gcp.close(),
    };
  },
} satisfies Partial<Record<ProviderId, (options: DemoOptions) => Promise<DemoEmulator>>>;

export type DemoProvider = keyof typeof demoEmulators;

export function isDemoProvider(value: string | undefined): value is DemoProvider {
  return value !== undefined && Object.hasOwn(demoEmulators, value);
}
