import type { Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Tables } from '../../platform/db/schema.ts'
import { AppError, conflict } from '../../platform/http/errors.ts'
import type { Change } from '../../platform/http/principal.ts'
import { type AuditAction, recordAudit } from '../audit/service.ts'

/** What every on-call write shares: one transaction, refusals as 4xx, an audit entry. */

export type Tx = Transaction<Tables>

export type { Change }

export const TIERS = ['primary', 'secondary'] as const
export type Tier = (typeof TIERS)[number]

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A reference to a contact or user that does not exist (or cannot be used there): 400. */
export const unknownReference = (
  code: 'UNKNOWN_CONTACT' | 'UNKNOWN_USER' | 'NOT_A_PERSON',
  message: string,
  details?: unknown,
) => new AppError(400, code, message, details)

/**
 * Runs `work` in one transaction. The checks in the services normally answer first; these
 * mappings are the last line when two writes race (a duplicate name, a contact deleted meanwhile).
 */
export async function write<T>(ctx: AppContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await ctx.db.transaction().execute(work)
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === '23505') throw conflict('Another record already has this name or tier')
    if (code === '23503') throw conflict('A contact this change refers to is missing or still in use')
    throw error
  }
}

export async function audit(
  tx: Tx,
  action: Extract<AuditAction, `oncall_${string}`>,
  target: { type: string; id: string },
  change: Change,
  values: { old?: Record<string, unknown>; new?: Record<string, unknown> } = {},
): Promise<void> {
  await recordAudit(tx, {
    actor: change.actor,
    action,
    target,
    request: change.request,
    oldValues: values.old,
    newValues: values.new,
  })
}

/** The fields that differ between two views, before and after; null when nothing changed. */
export function differences(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { old: Record<string, unknown>; new: Record<string, unknown> } | null {
  const keys = Object.keys(after).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
  if (keys.length === 0) return null
  return {
    old: Object.fromEntries(keys.map((key) => [key, before[key]])),
    new: Object.fromEntries(keys.map((key) => [key, after[key]])),
  }
}

/**
 * A webhook URL often carries its credential in the path (Slack's incoming webhooks do), so it is
 * shown only to admins and recorded in the audit log as its origin: `https://hooks.slack.com/…`.
 */
export function maskWebhook(url: string | null): string | null {
  if (url === null) return null
  try {
    return `${new URL(url).origin}/…`
  } catch {
    return '…'
  }
}
