import type { z } from 'zod';

/** Input that passed the edge schema but not a rule that needs stored state (e.g. a merged config). */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(readonly zodError: z.ZodError) {
    super(zodError.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
}
