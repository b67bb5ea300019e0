import type { Db } from '../db/client.ts';
import { auditEvents } from '../db/schema/index.ts';
import { newId } from './ids.ts';

export interface AuditEvent {
  platformId: string;
  actor: string;
  action: string;
  targetType: string;
  targetId?: string | null;
  outcome: 'success' | 'failure';
  /** Never a credential or a secret value: ids, names, error codes. */
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Db, event: AuditEvent): Promise<void> {
  await db.insert(auditEvents).values({
    id: newId('aud'),
    platformId: event.platformId,
    actor: event.actor,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId ?? null,
    outcome: event.outcome,
    details: event.details ?? {},
  });
}
