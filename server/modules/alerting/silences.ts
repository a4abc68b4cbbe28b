import type { Selectable } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { AlertSilencesTable } from '../../platform/db/schema.ts'
import { badRequest, notFound } from '../../platform/http/errors.ts'
import { type Actor, actorLabel, type RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { publishBusinessEvent } from '../orders/events.ts'

/**
 * Silences hold notifications, never state: a silenced alert still fires, resolves and shows,
 * and whoever was told before still hears "resolved". A silence covers one alert (for some
 * minutes, or until it resolves) or a rule's alerts with matching labels (for some minutes).
 * When a silence runs out while its alert still fires, the evaluation says so and escalation
 * goes on.
 */

export type SilenceRow = Selectable<AlertSilencesTable>

export interface SilenceView {
  id: string
  ruleId: string | null
  alertId: string | null
  labels: Record<string, string>
  reason: string
  createdBy: string
  startsAt: string
  endsAt: string | null
  cancelledAt: string | null
  active: boolean
}

/** Silences in force at `now` ("until resolved" ones while their alert is not resolved). */
export async function activeSilences(ctx: AppContext, now: Date): Promise<SilenceRow[]> {
  return ctx.db
    .selectFrom('alert_silences as s')
    .leftJoin('alerts as a', 'a.id', 's.alert_id')
    .selectAll('s')
    .where('s.cancelled_at', 'is', null)
    .where('s.starts_at', '<=', now)
    .where((eb) =>
      eb.or([
        eb('s.ends_at', '>', now),
        eb.and([eb('s.ends_at', 'is', null), eb('a.state', '<>', 'resolved')]),
      ]),
    )
    .orderBy('s.id')
    .execute()
}

export function silenceFor(
  silences: SilenceRow[],
  alert: { id: string; rule_id: string; labels: Record<string, string> },
): SilenceRow | undefined {
  return silences.find((s) => {
    if (s.alert_id !== null) return s.alert_id === alert.id
    if (s.rule_id !== null && s.rule_id !== alert.rule_id) return false
    return Object.entries(s.labels).every(([key, value]) => alert.labels[key] === value)
  })
}

function view(row: SilenceRow, active: boolean): SilenceView {
  return {
    id: row.id,
    ruleId: row.rule_id,
    alertId: row.alert_id,
    labels: row.labels,
    reason: row.reason,
    createdBy: row.created_by,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at?.toISOString() ?? null,
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
    active,
  }
}

export async function listSilences(ctx: AppContext, options: { all?: boolean } = {}): Promise<SilenceView[]> {
  const now = ctx.clock.now()
  const active = new Set((await activeSilences(ctx, now)).map((s) => s.id))
  let query = ctx.db.selectFrom('alert_silences').selectAll().orderBy('id', 'desc').limit(200)
  if (!options.all) query = query.where('id', 'in', active.size > 0 ? [...active] : ['0'])
  return (await query.execute()).map((row) => view(row, active.has(row.id)))
}

export type SilenceInput =
  | { alertId: string; reason: string; minutes?: number; untilResolved?: boolean }
  | { ruleId: string; labels?: Record<string, string>; reason: string; minutes: number }

export async function createSilence(
  ctx: AppContext,
  input: SilenceInput,
  actor: Actor,
  request?: RequestFacts,
): Promise<SilenceView> {
  const now = ctx.clock.now()
  const untilResolved = 'alertId' in input && input.untilResolved === true
  if (untilResolved === (input.minutes !== undefined))
    throw badRequest('Give either minutes or untilResolved: true (for one alert)')
  if ('alertId' in input) {
    const alert = await ctx.db
      .selectFrom('alerts')
      .select('state')
      .where('id', '=', input.alertId)
      .executeTakeFirst()
    if (!alert) throw notFound('No such alert')
    if (alert.state === 'resolved') throw badRequest('The alert is already resolved')
  } else {
    const rule = await ctx.db
      .selectFrom('alert_rules')
      .select('id')
      .where('id', '=', input.ruleId)
      .executeTakeFirst()
    if (!rule) throw notFound('No such alert rule')
  }
  const endsAt = input.minutes !== undefined ? new Date(now.getTime() + input.minutes * 60_000) : null
  const silence = await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('alert_silences')
      .values({
        alert_id: 'alertId' in input ? input.alertId : null,
        rule_id: 'ruleId' in input ? input.ruleId : null,
        labels: JSON.stringify('labels' in input ? (input.labels ?? {}) : {}),
        reason: input.reason,
        created_by: actorLabel(actor),
        starts_at: now,
        ends_at: endsAt,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      actor,
      action: 'alert_silence',
      target: { type: 'alert_silence', id: row.id },
      request,
      newValues: { ...view(row, true) },
    })
    return view(row, true)
  })
  await publishBusinessEvent(ctx, 'alert.changed', { silence: silence.id })
  return silence
}

export async function cancelSilence(
  ctx: AppContext,
  id: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<SilenceView> {
  const cancelled = await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('alert_silences')
      .set({ cancelled_at: ctx.clock.now() })
      .where('id', '=', id)
      .where('cancelled_at', 'is', null)
      .returningAll()
      .executeTakeFirst()
    if (!row) throw notFound('No such silence, or it was already cancelled')
    await recordAudit(tx, {
      actor,
      action: 'alert_silence_cancel',
      target: { type: 'alert_silence', id },
      request,
    })
    return view(row, false)
  })
  await publishBusinessEvent(ctx, 'alert.changed', { silence: id })
  return cancelled
}
