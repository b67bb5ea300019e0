import { AppError } from '../errors.ts';
import type { Principal } from './principal.ts';

/**
 * The project a call acts in. Admins may name any project of their platform (or none:
 * the platform context); a principal bound to a project acts only in that one.
 */
export function projectContext(principal: Principal, requested: string | undefined): string | undefined {
  if (principal.role === 'admin') return requested;
  const bound = principal.projectId;
  if (bound === null) {
    if (principal.role === 'engine') return requested;
    throw new AppError('FORBIDDEN', 'This token is not bound to a project.');
  }
  if (requested !== undefined && requested !== bound) {
    throw new AppError('FORBIDDEN', 'This token may only act in its own project.');
  }
  return bound;
}
