import { AppError } from '../errors.ts';
import type { Principal } from './principal.ts';

/**
 * The project a call acts in. A principal bound to a project (engine key, embed token
 * with a `projectId` claim, whatever its role) acts only in that one; the others may name
 * any project of their platform, or none: the platform context. Naming another project
 * is a 403 whether it exists or not, so the answer says nothing about other projects.
 */
export function projectContext(principal: Principal, requested: string | undefined): string | undefined {
  const bound = principal.projectId;
  if (bound !== null) {
    if (requested !== undefined && requested !== bound) throw new AppError('FORBIDDEN', 'This token may only act in its own project.');
    return bound;
  }
  if (principal.role === 'member') throw new AppError('FORBIDDEN', 'This token is not bound to a project.');
  return requested;
}
