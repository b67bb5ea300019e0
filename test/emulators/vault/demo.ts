/** Demo data for `npm run demo`: a small but realistic Vault to create connections against. */
import type { VaultEmulator } from './types.ts';

const READ_ONLY_POLICY = 'demo-read-only';

/**
 * Enables KV v2 at `secret` and KV v1 at `kv1`, writes a few secrets (fake values shaped like
 * real ones), a read-only policy that also allows mount discovery, and an AppRole using it.
 */
export function seedVaultDemo(emulator: VaultEmulator): { token: string; roleId: string; secretId: string } {
  emulator.enableKv('secret', 2);
  emulator.enableKv('kv1', 1);

  emulator.putSecret('secret', 'app/database', {
    username: 'app_user',
    password: 'demo-Pa55word-not-real',
    host: 'db.internal.example:5432',
  });
  emulator.putSecret('secret', 'app/slack', { bot_token: 'xoxb-demo-not-a-real-token' });
  emulator.putSecret('secret', 'app/stripe', { secret_key: 'sk_test_demo_version_1', webhook_secret: 'whsec_demo_1' });
  emulator.putSecret('secret', 'app/stripe', { secret_key: 'sk_test_demo_version_2', webhook_secret: 'whsec_demo_2' });
  emulator.putSecret('kv1', 'legacy/api', { api_key: 'demo-legacy-api-key' });

  emulator.writePolicy(READ_ONLY_POLICY, [
    { path: 'secret/data/*', capabilities: ['read'] },
    { path: 'secret/metadata/*', capabilities: ['read', 'list'] },
    { path: 'kv1/*', capabilities: ['read', 'list'] },
    { path: 'sys/internal/ui/mounts/*', capabilities: ['read'] },
  ]);
  const token = emulator.createToken({ policies: [READ_ONLY_POLICY] });

  emulator.enableAppRole();
  const { roleId, secretId } = emulator.createAppRole('demo-app', { policies: [READ_ONLY_POLICY] });
  return { token, roleId, secretId };
}
