/** Who is calling. Every procedure narrows on `role`; `platformId` bounds everything. */
export type Principal =
  | {
      type: 'api-key';
      keyId: string;
      platformId: string;
      role: 'admin' | 'engine';
      /** Engine keys bound to a project; null = the whole platform. */
      projectId: string | null;
    }
  | {
      type: 'embed';
      keyId: string;
      subject: string;
      platformId: string;
      role: 'admin' | 'member';
      projectId: string | null;
    };

/** How a principal appears in audit events and `createdBy`. */
export function actorOf(p: Principal): string {
  return p.type === 'api-key' ? `api-key:${p.keyId}` : `embed:${p.keyId}:${p.subject}`;
}
