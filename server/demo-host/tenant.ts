import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { Db } from '../db/client.ts';
import { createEmbedKey } from '../services/embed-keys.ts';
import { createApiKey } from '../services/api-keys.ts';
import { createPlatform } from '../services/platforms.ts';
import { createProject } from '../services/projects.ts';
import { registerDemoHost } from './routes.ts';

export interface DemoTenant {
  platformId: string;
  adminToken: string;
  /** "Marketing automations" first, then "Billing flows"; each with its engine key. */
  projects: [DemoProject, DemoProject];
}

export interface DemoProject {
  id: string;
  name: string;
  engineToken: string;
}

/**
 * The platform the demo host stands for: an admin key, two projects each with an engine key,
 * and an HS256 embed key; its host page and backend are mounted on `app` under /demo/.
 * `apiUrl` is read per request, since the URL is known only once the server listens.
 */
export async function seedDemoTenant(app: FastifyInstance, db: Db, keyRing: KeyRing, options: { platformName: string; apiUrl: () => string; embed: Config['embed'] }): Promise<DemoTenant> {
  const platform = await createPlatform(db, options.platformName);
  const admin = await createApiKey(db, { platformId: platform.id, role: 'admin', name: 'demo admin key' });
  const project = async (name: string, externalId: string): Promise<DemoProject> => {
    const created = await createProject(db, platform.id, { name, externalId });
    const engine = await createApiKey(db, { platformId: platform.id, role: 'engine', projectId: created.id, name: `demo engine key (${externalId})` });
    return { id: created.id, name: created.name, engineToken: engine.token };
  };
  const projects: [DemoProject, DemoProject] = [await project('Marketing automations', 'marketing'), await project('Billing flows', 'billing')];
  const embedKey = await createEmbedKey(db, keyRing, platform.id, { name: 'demo host', algorithm: 'HS256' });
  registerDemoHost(app, { apiUrl: options.apiUrl, embedKey: { id: embedKey.id, secret: embedKey.secret! }, embed: options.embed, projects });
  return { platformId: platform.id, adminToken: admin.token, projects };
}
