/** Demo data for `npm run demo`: a small but realistic Secrets Manager to create connections against. */
import type { AwsEmulator } from './types.ts';

/**
 * A few secrets (fake values shaped like real ones, the Stripe key with two versions), a
 * read-only user and a role it may assume with an external id.
 */
export function seedAwsDemo(emulator: AwsEmulator): {
  region: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  roleArn: string;
  externalId: string;
} {
  emulator.createSecret(
    'prod/database',
    JSON.stringify({ username: 'app_user', password: 'demo-Pa55word-not-real', host: 'db.internal.example:5432' }),
  );
  emulator.createSecret('prod/slack', JSON.stringify({ bot_token: 'xoxb-demo-not-a-real-token' }));
  emulator.createSecret('prod/stripe-api-key', 'sk_test_demo_version_1');
  emulator.putSecretValue('prod/stripe-api-key', 'sk_test_demo_version_2');

  const readOnly = [
    { effect: 'Allow' as const, actions: ['secretsmanager:GetSecretValue'], resources: ['prod/*'] },
    { effect: 'Allow' as const, actions: ['secretsmanager:ListSecrets'], resources: ['*'] },
  ];
  const user = emulator.createUser('demo-reader', readOnly);
  const externalId = 'demo-external-id';
  const roleArn = emulator.createRole('demo-secret-reader', { trustedPrincipals: [user.arn], externalId, policy: readOnly });
  return {
    region: emulator.region,
    endpoint: emulator.url,
    accessKeyId: user.accessKeyId,
    secretAccessKey: user.secretAccessKey,
    roleArn,
    externalId,
  };
}
