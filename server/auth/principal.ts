import type { AdminActor } from '../services/deps.ts';
/** An API key: a platform's admin key, or an engine key (optionally bound to a project). Stored as a hash. */
export interface ApiKeyPrincipal {
  type: 'api-key';
  keyId: string;
  platformId: string;
  role: 'admin' | 'engine';
  /** Engine keys bound to a project; null = the whole platform. Admin keys are never bound. */
  projectId: string | null;
}

/** An embed JWT a host signed for one of its users: a browser token, never given a value or a key. */
export interface EmbedPrincipal {
  type: 'embed';
  keyId: string;
  subject: string;
  platformId: string;
  role: 'admin' | 'member';
  /** The `projectId` claim, resolved to our id; it binds every role. Null only for admins. */
  projectId: string | null;
}

/** Who is calling. Procedures narrow on `type` and `role`; `platformId` bounds everything; `projectId` binds. */
export type Principal = ApiKeyPrincipal | EmbedPrincipal;

/** How a principal appears in audit events and `createdBy`. */
export function actorOf(p: Principal): string {
  return p.type === 'api-key' ? `api-key:${p.keyId}` : `embed:${p.keyId}:${p.subject}`;
}

/**
 * The principal as an admin (`projectId` null = the whole platform; a project = what that
 * project can see, managing only connections of that project alone), or null when it is
 * no admin. The one admin check of tRPC procedures and REST routes alike.
 */
export function adminActorOf(p: Principal): AdminActor | null {
  return p.role === 'admin' ? { platformId: p.platformId, actor: actorOf(p), projectId: p.projectId } : null;
}
