/** Demo data for `npm run demo`: a small but realistic Secret Manager project to create connections against. */
import type { GcpEmulator } from './types.ts';

export interface GcpDemo {
  projectId: string;
  /** The key file of a service account that may read and list every demo secret. */
  serviceAccountKey: string;
  /** A ready config for the `serviceAccountKey` auth method, pointing at this emulator. */
  config: { authMethod: 'serviceAccountKey'; serviceAccountKey: string; projectId: string; apiEndpoint: string; caCert?: string };
}

const PROJECT = 'demo-project';

/** Writes a few secrets (fake values shaped like real ones) and a service account with accessor and viewer roles on the project. */
export function seedGcpDemo(emulator: GcpEmulator): GcpDemo {
  const database = emulator.createSecret(PROJECT, 'prod-database');
  emulator.addVersion(database, JSON.stringify({ username: 'app_user', password: 'demo-Pa55word-not-real', host: 'db.internal.example:5432' }));
  const slack = emulator.createSecret(PROJECT, 'prod-slack');
  emulator.addVersion(slack, JSON.stringify({ bot_token: 'xoxb-demo-not-a-real-token' }));
  const stripe = emulator.createSecret(PROJECT, 'prod-stripe-api-key');
  emulator.addVersion(stripe, 'sk_test_demo_version_1');
  emulator.addVersion(stripe, 'sk_test_demo_version_2');
  const regional = emulator.createSecret(PROJECT, 'prod-eu-api-key', { location: 'europe-west4' });
  emulator.addVersion(regional, 'demo-eu-api-key');

  const account = emulator.createServiceAccount(`secret-reader@${PROJECT}.iam.gserviceaccount.com`, { projectId: PROJECT });
  emulator.grant(account.email, 'roles/secretmanager.secretAccessor', `projects/${PROJECT}`);
  emulator.grant(account.email, 'roles/secretmanager.viewer', `projects/${PROJECT}`);
  return {
    projectId: PROJECT,
    serviceAccountKey: account.keyJson,
    config: {
      authMethod: 'serviceAccountKey',
      serviceAccountKey: account.keyJson,
      projectId: PROJECT,
      apiEndpoint: emulator.apiEndpoint,
      ...(emulator.caCert ? { caCert: emulator.caCert } : {}),
    },
  };
}
