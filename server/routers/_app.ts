import { router } from '../trpc/init.ts';
import { apiKeysRouter } from './api-keys.ts';
import { embedKeysRouter } from './embed-keys.ts';
import { projectsRouter } from './projects.ts';
import { providersRouter } from './providers.ts';
import { secretManagersRouter } from './secret-managers.ts';
import { secretsRouter } from './secrets.ts';

export const appRouter = router({
  providers: providersRouter,
  projects: projectsRouter,
  secretManagers: secretManagersRouter,
  embedKeys: embedKeysRouter,
  apiKeys: apiKeysRouter,
  secrets: secretsRouter,
});

/** Imported type-only by the elements: no server code reaches the bundle. */
export type AppRouter = typeof appRouter;
