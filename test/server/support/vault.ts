import { startVaultEmulator, type VaultEmulator } from '../../emulators/vault/index.ts';

/** A Vault emulator with a KV v2 mount, one app secret and a read-only token. */
export async function startSeededVault(): Promise<{ vault: VaultEmulator; readToken: string }> {
  const vault = await startVaultEmulator();
  vault.enableKv('secret', 2);
  vault.putSecret('secret', 'app/db', { username: 'app', password: 'vault-value-canary-7c1e' });
  vault.writePolicy('read-app', [
    { path: 'secret/data/app/*', capabilities: ['read'] },
    { path: 'secret/metadata/app/*', capabilities: ['list', 'read'] },
  ]);
  return { vault, readToken: vault.createToken({ policies: ['read-app'], ttlSeconds: 0 }) };
}

export function vaultTokenConfig(vault: VaultEmulator, token: string, extra: Record<string, unknown> = {}) {
  return { url: vault.url, kvMount: 'secret', kvVersion: 2, token, ...extra };
}
