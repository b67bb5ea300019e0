/**
 * The gRPC face of the emulator: the real service definition (the protos shipped with
 * @google-cloud/secret-manager, their imports from google-gax), served by @grpc/grpc-js.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  loadPackageDefinition,
  Server,
  status,
  type GrpcObject,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Caller } from './auth.ts';
import { Dropped, type Pipeline } from './pipeline.ts';
import type { SecretManagerService, SecretView, VersionView } from './service.ts';
import { RpcError } from './wire.ts';

const require = createRequire(import.meta.url);

let serviceDefinition: ServiceDefinition | undefined;

function loadServiceDefinition(): ServiceDefinition {
  if (serviceDefinition) return serviceDefinition;
  // STACK.md pitfall 6: google-gax's package.json is not exported; its protos sit beside build/src.
  const gaxProtos = join(dirname(require.resolve('google-gax')), '..', 'protos');
  const secretManagerProtos = join(dirname(require.resolve('@google-cloud/secret-manager')), '..', 'protos');
  const definition = loadSync('google/cloud/secretmanager/v1/service.proto', {
    includeDirs: [secretManagerProtos, gaxProtos],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  const v1 = ((loadPackageDefinition(definition)['google'] as GrpcObject)['cloud'] as GrpcObject)['secretmanager'] as GrpcObject;
  serviceDefinition = ((v1['v1'] as GrpcObject)['SecretManagerService'] as { service: ServiceDefinition }).service;
  return serviceDefinition;
}

function timestamp(date: Date): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(date.getTime() / 1000)), nanos: (date.getTime() % 1000) * 1_000_000 };
}

function secretMessage(secret: SecretView): Record<string, unknown> {
  return { name: secret.name, create_time: timestamp(secret.createTime), ...(secret.regional ? {} : { replication: { automatic: {} } }) };
}

function versionMessage(version: VersionView): Record<string, unknown> {
  return { name: version.name, create_time: timestamp(version.createTime), state: version.state };
}

/** A request as proto-loader decodes it (field names as in the .proto, defaults filled in). */
type Request = Record<string, unknown>;
type Rpc = (caller: Caller, request: Request) => unknown;

const text = (request: Request, name: string) => String(request[name] ?? '');

function rpcs(service: SecretManagerService): Record<string, Rpc> {
  return {
    AccessSecretVersion: (caller, request) => {
      const access = service.access(caller, text(request, 'name'));
      return { name: access.name, payload: { data: access.data, data_crc32c: String(access.crc32c) } };
    },
    GetSecret: (caller, request) => secretMessage(service.getSecret(caller, text(request, 'name'))),
    ListSecrets: (caller, request) => {
      const page = service.list(caller, {
        parent: text(request, 'parent'),
        pageSize: Number(request['page_size'] ?? 0),
        pageToken: text(request, 'page_token'),
        filter: text(request, 'filter'),
      });
      return { secrets: page.secrets.map(secretMessage), next_page_token: page.nextPageToken, total_size: page.totalSize };
    },
    CreateSecret: (caller, request) => secretMessage(service.createSecret(caller, text(request, 'parent'), text(request, 'secret_id'))),
    AddSecretVersion: (caller, request) => {
      const payload = (request['payload'] ?? {}) as Request;
      const crc = payload['data_crc32c'];
      const data = Buffer.from((payload['data'] as Uint8Array | undefined) ?? []);
      return versionMessage(service.addVersion(caller, text(request, 'parent'), data, crc == null ? undefined : String(crc)));
    },
  };
}

/** A grpc-js server (fed connections by the listener) answering every RPC of the service; those not emulated answer UNIMPLEMENTED. */
export function createGrpcServer(service: SecretManagerService, pipeline: Pipeline): Server {
  const definition = loadServiceDefinition();
  const implemented = rpcs(service);
  const implementation: UntypedServiceImplementation = {};
  for (const method of Object.keys(definition)) {
    const rpc: Rpc =
      implemented[method] ??
      (() => {
        throw new RpcError(status.UNIMPLEMENTED, `Method ${method} is not implemented by this emulator.`);
      });
    implementation[method] = (call: ServerUnaryCall<Request, unknown>, callback: sendUnaryData<unknown>) => {
      const authorization = call.metadata.get('authorization')[0];
      pipeline
        .run(method, typeof authorization === 'string' ? authorization : undefined, (caller) => rpc(caller, call.request))
        .then(
          (response) => callback(null, response),
          (error: unknown) => {
            if (error instanceof Dropped) return;
            if (error instanceof RpcError) callback({ code: error.code, details: error.message });
            else callback({ code: status.INTERNAL, details: `Emulator failure: ${String(error)}` });
          },
        );
    };
  }
  const server = new Server();
  server.addService(definition, implementation);
  return server;
}
