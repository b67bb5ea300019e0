/**
 * Attack: an admin (or whoever holds an admin key) re-aims a saved connection. They point
 * one of its destination fields (address, authority, endpoint, namespace, auth mount,
 * region, location) at a listener of theirs and ask the server to test the edit, or to
 * save it, without typing the credentials, hoping the stored ones go along.
 *
 * It must not reach: the listener. Both calls answer CREDENTIALS_REQUIRED naming the secret
 * fields, and the listener sees no connection and no byte. It must not reveal: a credential
 * in any answer or in the server log. A positive control then sends the same test with the
 * credentials typed again and sees the listener reached, which proves it would have noticed.
 *
 * Two kinds of listener: for a field that is an address, the listener stands where it
 * points; for one that is not (a namespace, a region…), the connection's own address is
 * routed through the listener from the start (a relay to the emulator), so anything the
 * edit would send shows up there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFields } from '../../shared/fields.ts';
import { configSchemaFor, type ProviderId } from '../../shared/providers/index.ts';
import { seedAwsDemo, startAwsEmulator } from '../emulators/aws/index.ts';
import { seedAzureDemo, startAzureEmulator } from '../emulators/azure/index.ts';
import { seedGcpDemo, startGcpEmulator } from '../emulators/gcp/index.ts';
import { seedVaultDemo, startVaultEmulator } from '../emulators/vault/index.ts';
import { rejection, startTestServer, type ApiClient, type TestServer } from '../server/support/server.ts';
import { startRecordingListener, type RecordingListener } from '../support/recording-listener.ts';

/**
 * The server's environment, built here only. The emulators and listeners are custom hosts
 * on 127.0.0.1; an egress guard that refuses loopback by default needs them allowed here too.
 */
const SERVER_ENV: Record<string, string> = { SM_ALLOW_CUSTOM_PROVIDER_HOSTS: 'true' };

/** A working connection to one provider's emulator. */
interface Setup {
  provider: ProviderId;
  authMethod: string;
  /** Credentials included. */
  config: Record<string, unknown>;
  /** The config's own address(es), through `hostPort` instead of straight to the emulator. */
  through(hostPort: string): Record<string, unknown>;
  emulatorPort: number;
  /** Every credential string of `config`; none may appear in an answer or the log. */
  canaries: string[];
}

interface ExfiltrationCase {
  name: string;
  setup: 'vaultToken' | 'vaultAppRole' | 'awsAccessKey' | 'awsAssumeRole' | 'azure' | 'gcp';
  field: string;
  /** The value the attacker gives `field`. */
  aim(listener: RecordingListener): unknown;
  /** The field is no address: the connection goes through the listener from the start. */
  relay?: true;
  /** The credential travels in clear (plain HTTP), so the positive control shows it arriving. */
  inClear?: true;
}

const cases: ExfiltrationCase[] = [
  { name: 'Vault token: address', setup: 'vaultToken', field: 'url', aim: (l) => `http://${l.hostPort}`, inClear: true },
  { name: 'Vault token: namespace', setup: 'vaultToken', field: 'namespace', aim: () => 'attacker', relay: true, inClear: true },
  { name: 'Vault AppRole: address', setup: 'vaultAppRole', field: 'url', aim: (l) => `http://${l.hostPort}/exfil`, inClear: true },
  { name: 'Vault AppRole: auth mount', setup: 'vaultAppRole', field: 'mountPath', aim: () => 'attacker-plugin', relay: true, inClear: true },
  { name: 'AWS access keys: endpoint', setup: 'awsAccessKey', field: 'endpoint', aim: (l) => `http://${l.hostPort}` },
  { name: 'AWS access keys: region', setup: 'awsAccessKey', field: 'region', aim: () => 'eu-west-1', relay: true },
  { name: 'AWS assumed role: STS endpoint', setup: 'awsAssumeRole', field: 'stsEndpoint', aim: (l) => `http://${l.hostPort}` },
  { name: 'Azure: vault URI', setup: 'azure', field: 'vaultUrl', aim: (l) => `https://${l.hostPort}` },
  { name: 'Azure: authority host', setup: 'azure', field: 'authorityHost', aim: (l) => `https://${l.hostPort}` },
  { name: 'GCP: API endpoint', setup: 'gcp', field: 'apiEndpoint', aim: (l) => l.hostPort },
  { name: 'GCP: location', setup: 'gcp', field: 'location', aim: () => 'europe-west4', relay: true },
];

const portOf = (url: string) => Number(new URL(url).port);

let t: TestServer;
let admin: ApiClient;
let setups: Record<ExfiltrationCase['setup'], Setup>;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  const [vault, aws, azure, gcp] = await Promise.all([startVaultEmulator(), startAwsEmulator(), startAzureEmulator(), startGcpEmulator()]);
  closers.push(() => vault.close(), () => aws.close(), () => azure.close(), () => gcp.close());
  const vaultDemo = seedVaultDemo(vault);
  const awsDemo = seedAwsDemo(aws);
  const { authMethod: azureMethod, ...azureConfig } = seedAzureDemo(azure).config;
  const { authMethod: gcpMethod, ...gcpConfig } = seedGcpDemo(gcp).config;
  const gcpKey = JSON.parse(gcpConfig.serviceAccountKey) as { private_key: string };

  const vaultSetup = (authMethod: string, credentials: Record<string, string>, identity: Record<string, string> = {}): Setup => ({
    provider: 'vault',
    authMethod,
    config: { url: vault.url, kvMount: 'secret', kvVersion: 2, ...identity, ...credentials },
    through: (hostPort) => ({ url: `http://${hostPort}` }),
    emulatorPort: portOf(vault.url),
    canaries: Object.values(credentials),
  });
  const awsSetup = (authMethod: string, extra: Record<string, string>): Setup => ({
    provider: 'aws',
    authMethod,
    config: { region: awsDemo.region, endpoint: awsDemo.endpoint, accessKeyId: awsDemo.accessKeyId, secretAccessKey: awsDemo.secretAccessKey, ...extra },
    through: (hostPort) => ({ endpoint: `http://${hostPort}` }),
    emulatorPort: portOf(aws.url),
    canaries: [awsDemo.secretAccessKey],
  });
  setups = {
    vaultToken: vaultSetup('token', { token: vaultDemo.token }),
    vaultAppRole: vaultSetup('approle', { secretId: vaultDemo.secretId }, { roleId: vaultDemo.roleId }),
    awsAccessKey: awsSetup('accessKey', {}),
    awsAssumeRole: awsSetup('assumeRole', { roleArn: awsDemo.roleArn, externalId: awsDemo.externalId }),
    azure: {
      provider: 'azure',
      authMethod: azureMethod,
      config: azureConfig,
      through: (hostPort) => ({ vaultUrl: `https://${hostPort}`, authorityHost: `https://${hostPort}` }),
      emulatorPort: portOf(azure.url),
      canaries: [azureConfig.clientSecret],
    },
    gcp: {
      provider: 'gcp',
      authMethod: gcpMethod,
      config: gcpConfig,
      through: (hostPort) => ({ apiEndpoint: hostPort }),
      emulatorPort: gcp.port,
      canaries: [gcpConfig.serviceAccountKey, gcpKey.private_key, gcpKey.private_key.split('\n')[1]!],
    },
  };

  t = await startTestServer({ database: 'postgres', env: SERVER_ENV });
  ({ admin } = await t.newPlatform());
});

afterAll(async () => {
  await t?.stop();
  await Promise.all(closers.map((close) => close()));
});

/** The secret fields of a setup's config, as the descriptor declares them, with their labels. */
function secretFieldsOf(setup: Setup): { name: string; label: string }[] {
  return describeFields(configSchemaFor(setup.provider, setup.authMethod)!).filter((f) => f.secret && setup.config[f.name] !== undefined);
}

describe('stored credentials cannot be re-aimed at a listener', () => {
  it.each(cases)('$name', async ({ setup: setupName, field, aim, relay, inClear }) => {
    const setup = setups[setupName];
    const listener = await startRecordingListener(relay ? { forwardTo: setup.emulatorPort } : {});
    closers.push(() => listener.close());
    const answers: unknown[] = [];

    const saved = { ...setup.config, ...(relay && setup.through(listener.hostPort)) };
    const connection = await admin.secretManagers.create.mutate({
      name: `${setupName} ${field}`,
      provider: setup.provider,
      authMethod: setup.authMethod,
      scope: 'PLATFORM',
      config: saved,
    });
    answers.push(connection);
    listener.reset();

    // What the dialog sends: every non-secret field, the destination re-aimed, no credential.
    const secrets = secretFieldsOf(setup);
    const edit: Record<string, unknown> = { ...saved, [field]: aim(listener) };
    for (const { name } of secrets) delete edit[name];

    for (const call of [
      () => admin.secretManagers.test.mutate({ id: connection.id, config: edit }),
      () => admin.secretManagers.update.mutate({ id: connection.id, config: edit }),
    ]) {
      const refused = await rejection(call());
      answers.push(refused);
      expect(refused.data).toMatchObject({ httpStatus: 400, secretManagerCode: 'CREDENTIALS_REQUIRED' });
      expect(refused.data.zodError.issues.map((i: { path: string }) => i.path)).toEqual(secrets.map((s) => `config.${s.name}`));
      for (const { label } of secrets) expect(refused.message).toContain(label);
    }
    expect(listener.seen(), 'nothing reached the listener').toEqual({ connections: 0, bytes: 0 });
    expect((await admin.secretManagers.get.query({ id: connection.id })).config[field]).toEqual(saved[field]);

    // Positive control: with the credentials typed again the same test goes out and the listener sees it
    // (the call itself may fail or not: only what reached the listener matters).
    const typed = Object.fromEntries(secrets.map(({ name }) => [name, setup.config[name]]));
    const [control] = await Promise.allSettled([admin.secretManagers.test.mutate({ id: connection.id, config: { ...edit, ...typed } })]);
    answers.push(control.status === 'fulfilled' ? control.value : { message: control.reason.message, data: control.reason.data });
    const seen = listener.seen();
    expect(seen.connections > 0 || seen.bytes > 0, 'the positive control reached the listener').toBe(true);
    if (inClear) expect(setup.canaries.some((c) => listener.received().includes(c)), 'the credential itself arrived').toBe(true);

    const shown = JSON.stringify(answers);
    const logged = t.logs.join('\n');
    for (const canary of setup.canaries) {
      expect(shown, 'no credential in any answer').not.toContain(canary);
      expect(logged, 'no credential in the log').not.toContain(canary);
    }
  });
});
