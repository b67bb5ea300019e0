import type { ConnectionDto } from '../shared/connections.ts';
import type { ProjectDto } from '../shared/projects.ts';

export interface ConnectionEventDetail {
  connection: ConnectionDto;
}

export interface CacheClearedDetail {
  /** The connection whose cache was cleared, or `null` for the whole platform. */
  connectionId: string | null;
}

export interface ProjectsChangedDetail {
  projects: ProjectDto[];
}

/** A key picker's value changed: a reference was chosen, or cleared (all three empty) to type a value. */
export interface ReferenceChangeDetail {
  reference: string;
  connectionId: string;
  path: string;
}

/** Our events, by name: bubbling and composed, so a host hears them from outside any shadow root. */
export interface SecretManagerEvents {
  'sm-connection-created': ConnectionEventDetail;
  'sm-connection-updated': ConnectionEventDetail;
  'sm-connection-deleted': ConnectionEventDetail;
  'sm-cache-cleared': CacheClearedDetail;
  'sm-projects-changed': ProjectsChangedDetail;
  /** A call was refused with 401: the token expired or is not valid. Hosts refresh it here. */
  'sm-unauthorized': Record<string, never>;
  'sm-reference-change': ReferenceChangeDetail;
  /** The server refused the token (401). Elements ask `getToken()` once more right after; set a fresh `token` here if you pass one. */
  'sm-auth-expired': Record<string, never>;
}

declare global {
  interface GlobalEventHandlersEventMap {
    'sm-connection-created': CustomEvent<ConnectionEventDetail>;
    'sm-connection-updated': CustomEvent<ConnectionEventDetail>;
    'sm-connection-deleted': CustomEvent<ConnectionEventDetail>;
    'sm-cache-cleared': CustomEvent<CacheClearedDetail>;
    'sm-projects-changed': CustomEvent<ProjectsChangedDetail>;
    'sm-unauthorized': CustomEvent<Record<string, never>>;
    'sm-reference-change': CustomEvent<ReferenceChangeDetail>;
    'sm-auth-expired': CustomEvent<Record<string, never>>;
  }
}

export function emit<K extends keyof SecretManagerEvents>(target: EventTarget, type: K, detail: SecretManagerEvents[K]): void {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}
