/**
 * The emulator through the official client, unmodified: gRPC over TLS with self-signed
 * service-account JWTs, plaintext gRPC, and REST. (The client is built by the adapter's
 * transport, which only configures endpoint, CA and credentials.)
 */
import { request } from 'node:https';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { grpc } from 'google-gax';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { crc32c } from '../../../server/providers/gcp/crc32c.ts';
import { createTransport } from '../../../server/providers/gcp/transport.ts';
import { seedGcpDemo, startGcpEmulator, type GcpEmulator, type GcpServiceAccount } from './index.ts';
import { testEgress } from '../../support/egress.ts';

const PROJECT = 'emu-project';
/** Short backoff so retried faults do not wait for the client's default 2 s. */
const fastRetry = {
  retry: {
    retryCodes: [grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED],
    backoffSettings: {
      initialRetryDelayMillis: 10,
      retryDelayMultiplier: 2,
      maxRetryDelayMillis: 50,
      initialRpcTimeoutMillis: 5000,
      rpcTimeoutMultiplier: 1,
      maxRpcTimeoutMillis: 5000,
      totalTimeoutMillis: 5000,
    },
  },
};

async function rpcError(promise: Promise<unknown>): Promise<{ code: number; details: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code: number; details?: string; message: string };
    return { code: e.code, details: e.details ?? '', message: e.message };
  }
  throw new Error('expected the call to fail');
}

describe('GCP Secret Manager emulator (TLS, gRPC and REST)', () => {
  let emulator: GcpEmulator;
  let reader: GcpServiceAccount;
  let viewer: GcpServiceAccount;
  let admin: GcpServiceAccount;
  let plain: string;
  const transports: { close(): Promise<void> }[] = [];

  const client = (account: GcpServiceAccount, transport: 'grpc' | 'rest' = 'grpc') => {
    const made = createTransport({
      authMethod: 'serviceAccountKey',
      serviceAccountKey: account.keyJson,
      apiEndpoint: emulator.apiEndpoint,
      caCert: emulator.caCert!,
      transport,
    }, testEgress());
    transports.push(made);
    return made.sdk;
  };

  beforeAll(async () => {
    emulator = await startGcpEmulator();
    plain = emulator.createSecret(PROJECT, 'plain');
    emulator.addVersion(plain, 'v1');
    emulator.addVersion(plain, 'v2');
    emulator.addVersion(plain, 'v3');
    emulator.setVersionState(plain, 3, 'DISABLED');
    for (const name of ['app-a', 'app-b', 'app-c', 'other']) emulator.addVersion(emulator.createSecret(PROJECT, name), name);
    emulator.addVersion(emulator.createSecret(PROJECT, 'eu-only', { location: 'europe-west4' }), 'regional');

    reader = emulator.createServiceAccount(`reader@${PROJECT}.iam.gserviceaccount.com`);
    emulator.grant(reader.email, 'roles/secretmanager.secretAccessor', `projects/${PROJECT}`);
    viewer = emulator.createServiceAccount(`viewer@${PROJECT}.iam.gserviceaccount.com`);
    emulator.grant(viewer.email, 'roles/secretmanager.viewer', `projects/${PROJECT}`);
    emulator.grant(viewer.email, 'roles/secretmanager.secretAccessor', `projects/${PROJECT}/secrets/other`);
    admin = emulator.createServiceAccount(`admin@${PROJECT}.iam.gserviceaccount.com`);
    emulator.grant(admin.email, 'roles/secretmanager.admin', `projects/${PROJECT}`);
  });

  afterEach(() => {
    Object.assign(emulator.faults, { latencyMs: 0, failNextRequests: 0, status5xx: 503, throttleNextRequests: 0, dropConnections: false });
  });

  afterAll(async () => {
    await Promise.allSettled(transports.map((t) => t.close()));
    await emulator.close();
  });

  describe('AccessSecretVersion', () => {
    it('resolves latest to the newest enabled version, with its CRC32C and the project number', async () => {
      const [version] = await client(reader).accessSecretVersion({ name: `projects/${PROJECT}/secrets/plain/versions/latest` });
      const number = emulator.createProject(PROJECT);
      expect(version.name).toBe(`projects/${number}/secrets/plain/versions/2`);
      expect(Buffer.from(version.payload!.data as Uint8Array).toString()).toBe('v2');
      expect(version.payload!.dataCrc32c).toBe(String(crc32c(Buffer.from('v2'))));
    });

    it('serves pinned versions and names by project number', async () => {
      const number = emulator.createProject(PROJECT);
      const [version] = await client(reader).accessSecretVersion({ name: `projects/${number}/secrets/plain/versions/1` });
      expect(Buffer.from(version.payload!.data as Uint8Array).toString()).toBe('v1');
    });

    it("answers NOT_FOUND and FAILED_PRECONDITION in Google's words", async () => {
      const number = emulator.createProject(PROJECT);
      const sdk = client(reader);
      const missing = await rpcError(sdk.accessSecretVersion({ name: `projects/${PROJECT}/secrets/nope/versions/latest` }));
      expect(missing).toMatchObject({ code: grpc.status.NOT_FOUND, details: `Secret [projects/${number}/secrets/nope] not found or has no versions.` });
      const noVersion = await rpcError(sdk.accessSecretVersion({ name: `projects/${PROJECT}/secrets/plain/versions/9` }));
      expect(noVersion).toMatchObject({ code: grpc.status.NOT_FOUND, details: `Secret Version [projects/${number}/secrets/plain/versions/9] not found.` });
      const disabled = await rpcError(sdk.accessSecretVersion({ name: `projects/${PROJECT}/secrets/plain/versions/3` }));
      expect(disabled).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: `Secret Version [projects/${number}/secrets/plain/versions/3] is in DISABLED state.` });
    });

    it('serves regional secrets under projects/P/locations/L', async () => {
      const [version] = await client(reader).accessSecretVersion({ name: `projects/${PROJECT}/locations/europe-west4/secrets/eu-only/versions/latest` });
      expect(Buffer.from(version.payload!.data as Uint8Array).toString()).toBe('regional');
      const global = await rpcError(client(reader).accessSecretVersion({ name: `projects/${PROJECT}/secrets/eu-only/versions/latest` }));
      expect(global.code).toBe(grpc.status.NOT_FOUND);
    });
  });

  describe('authentication', () => {
    it('accepts the self-signed JWT the client signs, and the token endpoint is never called', async () => {
      emulator.stats.reset();
      await client(reader).accessSecretVersion({ name: `projects/${PROJECT}/secrets/plain/versions/1` });
      expect(emulator.stats.lastJwt).toEqual({
        kid: reader.privateKeyId,
        iss: reader.email,
        sub: reader.email,
        aud: 'https://secretmanager.googleapis.com/',
        lifetimeSeconds: 3600,
      });
      expect(emulator.stats.tokenRequests).toBe(0);
    });

    it('rejects a deleted key with UNAUTHENTICATED', async () => {
      const gone = emulator.createServiceAccount(`gone@${PROJECT}.iam.gserviceaccount.com`);
      emulator.grant(gone.email, 'roles/secretmanager.admin', `projects/${PROJECT}`);
      emulator.deleteServiceAccountKey(gone.privateKeyId);
      const error = await rpcError(client(gone).accessSecretVersion({ name: `projects/${PROJECT}/secrets/plain/versions/1` }));
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(error.details).toMatch(/^Request had invalid authentication credentials/);
    });

    it('rejects a JWT signed with another key under a known kid', async () => {
      const other = emulator.createServiceAccount(`other@${PROJECT}.iam.gserviceaccount.com`);
      const forged = { ...(JSON.parse(other.keyJson) as Record<string, string>), private_key_id: reader.privateKeyId, client_email: reader.email };
      const error = await rpcError(client({ ...reader, keyJson: JSON.stringify(forged) }).accessSecretVersion({ name: `projects/${PROJECT}/secrets/plain/versions/1` }));
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    });

    it('traps calls to the key file token_uri', async () => {
      const tokenUri = (JSON.parse(reader.keyJson) as { token_uri: string }).token_uri;
      expect(tokenUri).toBe(`${emulator.url}/token`);
      const statusCode = await new Promise<number>((resolve, reject) => {
        const req = request(tokenUri, { method: 'POST', ca: emulator.caCert }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end('grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer');
      });
      expect(statusCode).toBe(500);
      expect(emulator.stats.tokenRequests).toBe(1);
      emulator.stats.reset();
    });
  });

  describe('IAM', () => {
    it('denies listing to an accessor and access to a viewer, per secret', async () => {
      const list = await rpcError(client(reader).listSecrets({ parent: `projects/${PROJECT}` }, { autoPaginate: false }));
      expect(list).toMatchObject({ code: grpc.status.PERMISSION_DENIED, details: `Permission 'secretmanager.secrets.list' denied for resource 'projects/${PROJECT}' (or it may not exist).` });
      const name = `projects/${PROJECT}/secrets/plain/versions/latest`;
      const access = await rpcError(client(viewer).accessSecretVersion({ name }));
      expect(access).toMatchObject({ code: grpc.status.PERMISSION_DENIED, details: `Permission 'secretmanager.versions.access' denied for resource '${name}' (or it may not exist).` });
      const [allowed] = await client(viewer).accessSecretVersion({ name: `projects/${PROJECT}/secrets/other/versions/latest` });
      expect(Buffer.from(allowed.payload!.data as Uint8Array).toString()).toBe('other');
    });
  });

  describe('ListSecrets', () => {
    it('pages with tokens and filters by name substring', async () => {
      const sdk = client(viewer);
      const [first, , firstPage] = await sdk.listSecrets({ parent: `projects/${PROJECT}`, pageSize: 2, filter: 'name:app-' }, { autoPaginate: false });
      expect(first.map((s) => s.name!.split('/').pop())).toEqual(['app-a', 'app-b']);
      expect(firstPage!.totalSize).toBe(3);
      const [second, , secondPage] = await sdk.listSecrets(
        { parent: `projects/${PROJECT}`, pageSize: 2, filter: 'name:app-', pageToken: firstPage!.nextPageToken! },
        { autoPaginate: false },
      );
      expect(second.map((s) => s.name!.split('/').pop())).toEqual(['app-c']);
      expect(secondPage!.nextPageToken).toBeFalsy();
      const [all] = await sdk.listSecrets({ parent: `projects/${PROJECT}` }, { autoPaginate: false });
      expect(all).toHaveLength(5);
    });

    it('lists regional secrets under their location only', async () => {
      const [regional] = await client(viewer).listSecrets({ parent: `projects/${PROJECT}/locations/europe-west4` }, { autoPaginate: false });
      expect(regional.map((s) => s.name!.split('/').pop())).toEqual(['eu-only']);
    });

    it('refuses a page token it did not issue', async () => {
      const error = await rpcError(client(viewer).listSecrets({ parent: `projects/${PROJECT}`, pageToken: 'bogus' }, { autoPaginate: false }));
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    });
  });

  describe('writes', () => {
    it('creates secrets and adds versions (rotation)', async () => {
      const sdk = client(admin);
      const [secret] = await sdk.createSecret({ parent: `projects/${PROJECT}`, secretId: 'rotated', secret: { replication: { automatic: {} } } });
      expect(secret.name).toMatch(/\/secrets\/rotated$/);
      const exists = await rpcError(sdk.createSecret({ parent: `projects/${PROJECT}`, secretId: 'rotated', secret: {} }));
      expect(exists.code).toBe(grpc.status.ALREADY_EXISTS);
      const data = Buffer.from('first');
      await sdk.addSecretVersion({ parent: `projects/${PROJECT}/secrets/rotated`, payload: { data, dataCrc32c: crc32c(data) } });
      await sdk.addSecretVersion({ parent: `projects/${PROJECT}/secrets/rotated`, payload: { data: Buffer.from('second') } });
      const [latest] = await sdk.accessSecretVersion({ name: `projects/${PROJECT}/secrets/rotated/versions/latest` });
      expect(latest.name).toMatch(/\/versions\/2$/);
      const mismatch = await rpcError(sdk.addSecretVersion({ parent: `projects/${PROJECT}/secrets/rotated`, payload: { data, dataCrc32c: 1 } }));
      expect(mismatch.code).toBe(grpc.status.INVALID_ARGUMENT);
    });

    it('answers UNIMPLEMENTED for RPCs it does not emulate', async () => {
      const error = await rpcError(client(admin).deleteSecret({ name: `projects/${PROJECT}/secrets/plain` }));
      expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
    });
  });

  describe('faults', () => {
    it('fails the next requests with UNAVAILABLE, which the client retries', async () => {
      emulator.faults.failNextRequests = 2;
      emulator.stats.reset();
      const [version] = await client(reader).accessSecretVersion({ name: `projects/${PROJECT}/secrets/plain/versions/1` }, fastRetry);
      expect(Buffer.from(version.payload!.data as Uint8Array).toString()).toBe('v1');
      expect(emulator.stats.byOperation['AccessSecretVersion']).toBe(3);
    });

    it('throttles with RESOURCE_EXHAUSTED, and 500 answers INTERNAL', async () => {
      const name = `projects/${PROJECT}/secrets/plain/versions/1`;
      emulator.faults.throttleNextRequests = 1;
      expect((await rpcError(client(reader).accessSecretVersion({ name }, { retry: { retryCodes: [] } }))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      emulator.faults.failNextRequests = 1;
      emulator.faults.status5xx = 500;
      expect((await rpcError(client(reader).accessSecretVersion({ name }, { retry: { retryCodes: [] } }))).code).toBe(grpc.status.INTERNAL);
    });

    it('delays answers past the client deadline', async () => {
      emulator.faults.latencyMs = 2_000;
      const error = await rpcError(client(reader).accessSecretVersion({ name: `projects/${PROJECT}/secrets/plain/versions/1` }, { timeout: 200, retry: { retryCodes: [] } }));
      expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    });

    it('drops connections, also ones already open', async () => {
      const sdk = client(reader);
      const name = `projects/${PROJECT}/secrets/plain/versions/1`;
      await sdk.accessSecretVersion({ name });
      emulator.faults.dropConnections = true;
      const error = await rpcError(sdk.accessSecretVersion({ name }, { retry: { retryCodes: [] } }));
      expect(error.code).toBe(grpc.status.UNAVAILABLE);
    });
  });

  describe('REST (fallback: true)', () => {
    it('answers GET …/versions/V:access with base64 data and its CRC32C', async () => {
      emulator.stats.reset();
      const [version] = await client(reader, 'rest').accessSecretVersion({ name: `projects/${PROJECT}/secrets/plain/versions/latest` });
      expect(version.name).toMatch(/\/secrets\/plain\/versions\/2$/);
      expect(Buffer.from(version.payload!.data as Uint8Array).toString()).toBe('v2');
      expect(version.payload!.dataCrc32c).toBe(String(crc32c(Buffer.from('v2'))));
      expect(emulator.stats.lastJwt?.kid).toBe(reader.privateKeyId);
    });

    it("answers errors as Google's JSON, which the client surfaces with the HTTP status", async () => {
      const error = await rpcError(client(reader, 'rest').accessSecretVersion({ name: `projects/${PROJECT}/secrets/nope/versions/latest` }));
      expect(error.code).toBe(404);
      expect(JSON.parse(error.message)).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    });

    it('creates secrets and adds versions', async () => {
      const sdk = client(admin, 'rest');
      await sdk.createSecret({ parent: `projects/${PROJECT}`, secretId: 'rest-written', secret: { replication: { automatic: {} } } });
      const data = Buffer.from('over rest');
      const [version] = await sdk.addSecretVersion({ parent: `projects/${PROJECT}/secrets/rest-written`, payload: { data, dataCrc32c: crc32c(data) } });
      expect(version.name).toMatch(/\/secrets\/rest-written\/versions\/1$/);
      const [read] = await client(reader).accessSecretVersion({ name: `projects/${PROJECT}/secrets/rest-written/versions/1` });
      expect(Buffer.from(read.payload!.data as Uint8Array).toString()).toBe('over rest');
    });

    it('lists with page tokens', async () => {
      const [page, , response] = await client(viewer, 'rest').listSecrets({ parent: `projects/${PROJECT}`, pageSize: 2 }, { autoPaginate: false });
      expect(page).toHaveLength(2);
      expect(response!.nextPageToken).toBeTruthy();
    });
  });

  it('seeds a demo project a demo connection can read', async () => {
    const demo = seedGcpDemo(emulator);
    const demoTransport = createTransport(demo.config, testEgress());
    transports.push(demoTransport);
    const sdk = demoTransport.sdk;
    const [version] = await sdk.accessSecretVersion({ name: `projects/${demo.projectId}/secrets/prod-stripe-api-key/versions/latest` });
    expect(Buffer.from(version.payload!.data as Uint8Array).toString()).toBe('sk_test_demo_version_2');
  });
});

describe('GCP Secret Manager emulator (plaintext gRPC)', () => {
  it('serves clients with insecure channel credentials, which send no authorization', async () => {
    const emulator = await startGcpEmulator({ mode: 'insecure', allowAnonymous: true });
    const sdk = new SecretManagerServiceClient({ apiEndpoint: emulator.host, port: emulator.port, sslCreds: grpc.credentials.createInsecure() });
    try {
      expect(emulator.url).toBe(`http://${emulator.apiEndpoint}`);
      emulator.addVersion(emulator.createSecret('local', 'token'), 'abc');
      const [version] = await sdk.accessSecretVersion({ name: 'projects/local/secrets/token/versions/latest' });
      expect(Buffer.from(version.payload!.data as Uint8Array).toString()).toBe('abc');
    } finally {
      await sdk.close();
      await emulator.close();
    }
  });

  it('answers UNAUTHENTICATED to anonymous requests unless allowed', async () => {
    const emulator = await startGcpEmulator({ mode: 'insecure' });
    const sdk = new SecretManagerServiceClient({ apiEndpoint: emulator.host, port: emulator.port, sslCreds: grpc.credentials.createInsecure() });
    try {
      const error = await rpcError(sdk.accessSecretVersion({ name: 'projects/local/secrets/token/versions/latest' }));
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(error.details).toMatch(/^Request is missing required authentication credential/);
    } finally {
      await sdk.close();
      await emulator.close();
    }
  });
});
