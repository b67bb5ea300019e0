import { describeProviders } from '../../shared/providers/index.ts';
import { authedProcedure, router } from '../trpc/init.ts';

const providerInfo = describeProviders();

export const providersRouter = router({
  list: authedProcedure.query(() => providerInfo),
});
