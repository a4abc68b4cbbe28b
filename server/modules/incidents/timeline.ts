import type { Transaction } from 'kysely'
import type { Db } from '../../platform/db/database.ts'
import type { Tables } from '../../platform/db/schema.ts'

/**
 * An incident's timeline: every change, note, attached alert, escalation step and message sent,
 * written in the same transaction as what it records.
 */
export type TimelineKind =
  | 'created'
  | 'status'
  | 'severity'
  | 'lead'
  | 'updated'
  | 'acknowledged'
  | 'note'
  | 'alert_attached'
  | 'escalated'
  | 'message'
  | 'checklist'
  | 'postmortem'
  | 'sla_breached'

export async function recordEvent(
  db: Db | Transaction<Tables>,
  incidentId: string,
  at: Date,
  kind: TimelineKind,
  actor: string | null,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await db
    .insertInto('incident_events')
    .values({ incident_id: incidentId, at, kind, actor, detail: JSON.stringify(detail) })
    .execute()
}
