/**
 * An in-process emulator of Google Cloud Secret Manager for tests that talk to it through
 * the official @google-cloud/secret-manager client, over gRPC (TLS or plaintext) or REST.
 * See /work/shared/PROVIDERS.md ("Google Cloud Secret Manager") for what the client sends.
 */
import { createTestCertificates } from '../tls.ts';
import { createServiceAccount } from './auth.ts';
import { createGrpcServer } from './grpc.ts';
import { listen } from './listener.ts';
import { createFaults, createPipeline, createStats } from './pipeline.ts';
import { restListener } from './rest.ts';
import { SecretManagerService } from './service.ts';
import { GcpState, secretKey, type SecretRef } from './state.ts';
import type { GcpEmulator, GcpEmulatorOptions } from './types.ts';

export type { GcpEmulator, GcpEmulatorOptions, GcpFaults, GcpJwtSummary, GcpRole, GcpServiceAccount, GcpStats, GcpVersionState } from './types.ts';
export { seedGcpDemo, type GcpDemo } from './demo.ts';

const RESOURCE = /^projects\/([^/]+)(?:\/locations\/([^/]+))?(?:\/secrets\/([^/]+))?$/;

export async function startGcpEmulator(options: GcpEmulatorOptions = {}): Promise<GcpEmulator> {
  const host = options.host ?? '127.0.0.1';
  const certificates = options.mode === 'insecure' ? undefined : (options.certificates ?? createTestCertificates());
  const state = new GcpState();
  const faults = createFaults();
  const stats = createStats();
  const service = new SecretManagerService(state);

  let dropAll = () => {};
  const pipeline = createPipeline({ state, faults, stats, allowAnonymous: options.allowAnonymous ?? false, dropAllConnections: () => dropAll() });
  const listener = await listen({
    host,
    port: options.port ?? 0,
    ...(certificates ? { certificates } : {}),
    grpcServer: createGrpcServer(service, pipeline),
    rest: restListener(service, pipeline, stats),
    shouldDrop: () => faults.dropConnections,
  });
  dropAll = listener.dropAll;

  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${listener.port}`;
  const url = `${certificates ? 'https' : 'http'}://${hostPort}`;

  /** `projects/ID-or-NUMBER[/locations/L][/secrets/S]` with the project id resolved. */
  const resolve = (resource: string): { ref: SecretRef | undefined; projectId: string; location?: string } => {
    const match = RESOURCE.exec(resource);
    if (!match) throw new Error(`not a project or secret resource name: ${resource}`);
    const projectId = state.projectIdOf(match[1]!) ?? match[1]!;
    const location = match[2];
    const parent = location ? { projectId, location } : { projectId };
    return { ...parent, ref: match[3] ? { ...parent, secretId: match[3] } : undefined };
  };
  const existingSecret = (secretName: string) => {
    const { ref } = resolve(secretName);
    const secret = ref && state.secrets.get(secretKey(ref));
    if (!secret) throw new Error(`no secret ${secretName}`);
    return secret;
  };

  return {
    apiEndpoint: hostPort,
    host,
    port: listener.port,
    url,
    ...(certificates ? { caCert: certificates.caCert } : {}),
    createProject: (projectId) => state.createProject(projectId),
    createSecret(projectId, secretId, opts) {
      const ref: SecretRef = opts?.location ? { projectId, location: opts.location, secretId } : { projectId, secretId };
      if (state.secrets.has(secretKey(ref))) throw new Error(`secret ${secretKey(ref)} exists`);
      state.createSecret(ref);
      return secretKey(ref);
    },
    addVersion: (secretName, data) => state.addVersion(existingSecret(secretName), typeof data === 'string' ? Buffer.from(data, 'utf8') : data).number,
    setVersionState(secretName, version, newState) {
      const found = existingSecret(secretName).versions[version - 1];
      if (!found) throw new Error(`no version ${version} of ${secretName}`);
      found.state = newState;
    },
    createServiceAccount(email, opts) {
      const projectId = opts?.projectId ?? /@([a-z][a-z0-9-]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1] ?? 'emulator-project';
      state.createProject(projectId);
      return createServiceAccount(state, email, projectId, `${url}/token`);
    },
    deleteServiceAccountKey(privateKeyId) {
      state.keys.delete(privateKeyId);
    },
    grant(email, role, resource) {
      const { ref, projectId, location } = resolve(resource);
      if (location && !ref) throw new Error('bind roles on a project or a secret, not on a location');
      state.grant(email, role, ref ? secretKey(ref) : `projects/${projectId}`);
    },
    faults,
    stats,
    close: () => listener.close(),
  };
}
