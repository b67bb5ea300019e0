import { z } from 'zod';

/** Input that passed the edge schema but not a rule that needs stored state (e.g. a merged config). */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(readonly zodError: z.ZodError) {
    super(zodError.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
}

/** Issues on named input fields (`['config', 'url']`), as zod reports them. */
export function fieldIssues(issues: { path: string[]; message: string }[]): z.ZodError {
  return new z.ZodError(issues.map(({ path, message }) => ({ code: 'custom', path, message, input: undefined })));
}
