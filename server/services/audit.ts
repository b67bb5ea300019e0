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

/** Half of a UTF-16 pair without its other half: JSON can spell it, jsonb refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Details echo client text (references, names); jsonb refuses the NUL character and lone
 * surrogates, and the audit trail must never fail a request over what a client typed.
 */
function storable(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
  if (Array.isArray(value)) return value.map(storable);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k) as string, storable(v)]));
  return value;
}

/** Writes one event now: for changes, whose row must be kept before they answer (resolution goes through the AuditWriter). */
export async function recordAudit(db: Db, event: AuditEvent): Promise<void> {
  await db.insert(auditEvents).values(auditRow(event));
}

/** The row an event is stored as. */
export function auditRow(event: AuditEvent) {
  return {
    id: newId('aud'),
    platformId: event.platformId,
    actor: event.actor,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId ?? null,
    outcome: event.outcome,
    details: storable(event.details ?? {}) as Record<string, unknown>,
  };
}
