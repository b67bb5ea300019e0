import { randomBytes, randomUUID } from 'node:crypto';
import { awsAdapter } from '../../server/providers/aws/index.ts';
import type { AwsConfig } from '../../shared/providers/aws.ts';
import { closedPort } from '../support/closed-port.ts';
import type { ContractEnv } from './fixture.ts';

type Keys = { accessKeyId: string; secretAccessKey: string };

/**
 * The contract environment both AWS peers (our emulator and moto) share: the same seeded
 * names and values, told apart only by where they run and how they are driven.
 */
export async function awsContractEnv(peer: {
  endpoint: string;
  region: string;
  good: Keys;
  denied: Keys;
  /** Version id of the first value of `contract/plain`. */
  firstVersion: string;
  rotate(value: string): Promise<void>;
  setLatency(ms: number): void;
  /** Other credentials the peer was set up with. */
  otherKeys?: Keys[];
  teardown(): Promise<void>;
}): Promise<ContractEnv> {
  const bad = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
  const config = (keys: Keys, endpoint = peer.endpoint): AwsConfig => ({
    authMethod: 'accessKey',
    region: peer.region,
    endpoint,
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
  });
  return {
    connect: (c, context) => awsAdapter.connect(c as AwsConfig, context),
    goodConfig: config(peer.good),
    badCredentialsConfig: config(bad),
    deniedConfig: config(peer.denied),
    unreachableConfig: config(peer.good, `http://127.0.0.1:${await closedPort()}`),
    paths: {
      plain: 'contract/plain',
      plainValue: 'plain-value-v2',
      json: 'contract/json',
      jsonKey: 'password',
      jsonKeyValue: 'json-password',
      missing: 'contract/missing',
      missingVersion: `contract/plain@${randomUUID()}`,
      pinnedOld: `contract/plain@${peer.firstVersion}`,
      pinnedOldValue: 'plain-value-v1',
    },
    rotate: peer.rotate,
    listPrefix: 'contract/list/',
    listExpected: ['contract/list/a', 'contract/list/b', 'contract/list/c'],
    setLatency: peer.setLatency,
    canaries: [peer.good, peer.denied, bad, ...(peer.otherKeys ?? [])].flatMap((k) => [k.accessKeyId, k.secretAccessKey]),
    teardown: peer.teardown,
  };
}
