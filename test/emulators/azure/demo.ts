/** Demo data for `npm run demo`: a small but realistic vault to create connections against. */
import { randomUUID } from 'node:crypto';
import type { AzureEmulator } from './types.ts';

export interface AzureDemo {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** A ready `clientSecret` connection config (the emulator is both vault and authority, with its own CA). */
  config: {
    authMethod: 'clientSecret';
    vaultUrl: string;
    cloud: 'public';
    authorityHost: string;
    caCert: string;
    tenantId: string;
    clientId: string;
    clientSecret: string;
  };
}

/**
 * Writes a few secrets (fake values shaped like real ones; Key Vault names allow only
 * letters, digits and dashes) and registers an app that may read and list them.
 */
export function seedAzureDemo(emulator: AzureEmulator): AzureDemo {
  emulator.setSecret(
    'prod-database',
    JSON.stringify({ username: 'app_user', password: 'demo-Pa55word-not-real', host: 'db.internal.example:5432' }),
    { contentType: 'application/json' },
  );
  emulator.setSecret('prod-slack', JSON.stringify({ bot_token: 'xoxb-demo-not-a-real-token' }), { contentType: 'application/json' });
  emulator.setSecret('prod-stripe-api-key', 'sk_test_demo_version_1');
  emulator.setSecret('prod-stripe-api-key', 'sk_test_demo_version_2');

  const clientId = randomUUID();
  const clientSecret = `demo~${randomUUID()}`;
  emulator.addApplication({ clientId, clientSecrets: [clientSecret] });
  emulator.setAccess(clientId, { get: '*', list: true });

  return {
    tenantId: emulator.tenantId,
    clientId,
    clientSecret,
    config: {
      authMethod: 'clientSecret',
      vaultUrl: emulator.url,
      cloud: 'public',
      authorityHost: emulator.url,
      caCert: emulator.caCert,
      tenantId: emulator.tenantId,
      clientId,
      clientSecret,
    },
  };
}
