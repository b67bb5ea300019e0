/**
 * An in-process emulator of the HashiCorp Vault HTTP API, for tests that talk to Vault through
 * node-vault. See /work/shared/PROVIDERS.md ("HashiCorp Vault") for the API subset it serves.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addAppRole, appRoleMount, kubernetesMount } from './auth.ts';
import { createFaults, createStats } from './faults.ts';
import { explainClientError, requestListener } from './server.ts';
import { VaultState } from './state.ts';
import { newTokenId } from './tokens.ts';
import type { InNamespace, VaultEmulator, VaultEmulatorOptions } from './types.ts';

export type {
  AppRoleOptions,
  Capability,
  InNamespace,
  KubernetesRoleOptions,
  PolicyRule,
  TokenOptions,
  VaultEmulator,
  VaultEmulatorOptions,
  VaultFaults,
  VaultStats,
} from './types.ts';
export { seedVaultDemo } from './demo.ts';

export async function startVaultEmulator(options: VaultEmulatorOptions = {}): Promise<VaultEmulator> {
  const state = new VaultState(options.rootToken ?? newTokenId());
  const faults = createFaults();
  const stats = createStats();
  // Vault keeps idle connections for minutes (http_idle_timeout, default 5m); Node's 5 s
  // default would race clients reusing a kept-alive socket into resets and retried requests.
  const server = createServer({ keepAliveTimeout: 300_000 }, requestListener({ state, faults, stats }));
  server.on('clientError', explainClientError);

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const ns = (opts?: InNamespace) => state.namespace(opts?.namespace);

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    rootToken: state.root.id,
    faults,
    stats,
    enableKv: (mount, version, opts) => ns(opts).enableKv(mount, version),
    putSecret: (mount, path, data, opts) => ns(opts).kv(mount).put(path, data).version,
    deleteSecretVersion(mount, path, version, opts) {
      const engine = ns(opts).kv(mount);
      if (engine.version !== 2 || !engine.get(path, version)) {
        throw new Error(`no version ${version} of "${path}" in the KV v2 mount "${mount}"`);
      }
      engine.delete(path, version);
    },
    writePolicy(name, rules, opts) {
      ns(opts).policies.set(name, structuredClone(rules));
    },
    createToken: (opts) =>
      ns(opts).issueToken({
        policies: opts.policies,
        ttlSeconds: opts.ttlSeconds,
        renewable: opts.renewable,
        maxTtlSeconds: opts.maxTtlSeconds,
      }).id,
    enableAppRole: (mount = 'approle', opts) => ns(opts).enableAuth(mount, appRoleMount()),
    createAppRole: (name, opts) =>
      addAppRole(ns(opts).authMount(opts.mount ?? 'approle', 'approle'), name, {
        policies: opts.policies,
        tokenTtlSeconds: opts.tokenTtlSeconds,
      }),
    enableKubernetes: (mount, opts) => ns(opts).enableAuth(mount, kubernetesMount(opts.publicKeyPem)),
    createKubernetesRole(name, opts) {
      ns(opts).authMount(opts.mount, 'kubernetes').roles.set(name, {
        boundServiceAccountNames: opts.boundServiceAccountNames,
        boundNamespaces: opts.boundNamespaces,
        policies: opts.policies,
        tokenTtlSeconds: opts.tokenTtlSeconds,
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets from axios would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
