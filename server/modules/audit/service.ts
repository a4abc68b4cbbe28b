import { sql, type Transaction } from 'kysely'
import type { Db } from '../../platform/db/database.ts'
import type { Tables } from '../../platform/db/schema.ts'
import type { Actor, RequestFacts } from '../../platform/http/principal.ts'

/** Actions the audit log records. */
export const AUDIT_ACTIONS = [
  'login',
  'login_failed',
  'logout',
  'password_change',
  'privilege_escalation',
  'role_change',
  'user_create',
  'user_disable',
  'user_enable',
  'user_unlock',
  'user_invite',
  'user_invite_revoke',
  'apikey_create',
  'apikey_rotate',
  'apikey_revoke',
  'ip_block',
  'ip_unblock',
  'settings_change',
  'log_level_change',
  'catalog_create',
  'catalog_update',
  'connector_breaker',
  'data_import',
  'notification_channel_create',
  'notification_channel_update',
  'notification_channel_delete',
  'notification_test',
  'notification_retry',
  'alert_rule_create',
  'alert_rule_update',
  'alert_rule_delete',
  'alert_acknowledge',
  'alert_silence',
  'alert_silence_cancel',
  'escalation_policy_change',
  'oncall_create',
  'oncall_update',
  'oncall_delete',
  'maintenance_create',
  'maintenance_update',
  'maintenance_cancel',
  'incident_create',
  'incident_update',
  'incident_acknowledge',
  'incident_message',
  'incident_policy_change',
  'postmortem_update',
  'deployment_record',
  'deployment_update',
  'backup_create',
  'backup_verify',
  'backup_restore',
  'backup_delete',
  'backup_drill',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

export interface AuditEntry {
  actor: Actor
  action: AuditAction
  target?: { type: string; id: string }
  request?: RequestFacts
  oldValues?: Record<string, unknown>
  newValues?: Record<string, unknown>
}

type Executor = Db | Transaction<Tables>

const SECRET_FIELD = /pass(word)?|secret|token|key_?hash|^key$|apikey|api_key|otp|cookie|authorization/i

/** Replaces the values of secret-looking fields, at any depth. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact)
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [key, SECRET_FIELD.test(key) ? '[redacted]' : redact(v)]),
    )
  }
  return value
}

/** Appends one entry; pass the transaction of the change it records so both commit or neither. */
export async function recordAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_logs')
    .values({
      actor_type: entry.actor.type,
      actor_id: entry.actor.id,
      action: entry.action,
      target_type: entry.target?.type ?? null,
      target_id: entry.target?.id ?? null,
      ip: entry.request?.ip ?? null,
      user_agent: entry.request?.userAgent ?? null,
      request_id: entry.request?.requestId ?? null,
      old_values: entry.oldValues ? JSON.stringify(redact(entry.oldValues)) : null,
      new_values: entry.newValues ? JSON.stringify(redact(entry.newValues)) : null,
    })
    .execute()
}

/** Deletes entries older than `days` (the trigger allows it only inside this transaction). */
export async function pruneAuditLogs(db: Db, days: number): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('sentia.audit_retention_days', ${String(days)}, true)`.execute(tx)
    const result = await tx
      .deleteFrom('audit_logs')
      .where(sql<boolean>`created_at < now() - make_interval(days => ${days})`)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  })
}
