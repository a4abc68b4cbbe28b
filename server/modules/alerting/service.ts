import type { AppContext } from '../../context.ts'
import type { AlertSeverity } from '../../platform/db/schema.ts'
import { badRequest, conflict, notFound } from '../../platform/http/errors.ts'
import { type Actor, actorLabel, type RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { DEFAULT_POLICIES, type EscalationStep, isEscalationTarget } from './defaults.ts'
import type { AlertRow } from './evaluate.ts'

/** Alerts as people see them: lists, one alert with its timeline, acknowledgement, policies. */

export interface AlertView {
  id: string
  ruleId: string
  ruleName: string
  metric: string
  labels: Record<string, string>
  state: 'pending' | 'firing' | 'resolved'
  severity: AlertSeverity
  value: number | null
  summary: string
  pendingSince: string
  firedAt: string | null
  resolvedAt: string | null
  acknowledgedAt: string | null
  acknowledgedBy: string | null
  ackNote: string | null
  silencedBy: string | null
  inMaintenance: boolean
  stepsDone: number
}

type Joined = AlertRow & { rule_name: string; rule_metric: string; steps_done: number | string }

function view(row: Joined, now: Date): AlertView {
  return {
    id: row.id,
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    metric: row.rule_metric,
    labels: row.labels,
    state: row.state,
    severity: row.severity,
    value: row.value,
    summary: row.summary,
    pendingSince: row.pending_since.toISOString(),
    firedAt: row.fired_at?.toISOString() ?? null,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
    acknowledgedBy: row.acknowledged_by,
    ackNote: row.ack_note,
    silencedBy: row.silenced_by,
    inMaintenance: row.maintenance_ends_at !== null && row.maintenance_ends_at > now,
    stepsDone: Number(row.steps_done),
  }
}

function alertsQuery(ctx: AppContext) {
  return ctx.db
    .selectFrom('alerts')
    .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
    .selectAll('alerts')
    .select((eb) => [
      'alert_rules.name as rule_name',
      'alert_rules.metric as rule_metric',
      eb
        .selectFrom('alert_steps')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('alert_steps.alert_id', '=', 'alerts.id')
        .as('steps_done'),
    ])
}

export type AlertFilter = 'active' | 'pending' | 'firing' | 'resolved'

export async function listAlerts(
  ctx: AppContext,
  options: { state?: AlertFilter; cursor?: string; limit?: number } = {},
): Promise<{ items: AlertView[]; nextCursor: string | null }> {
  const limit = options.limit ?? 50
  let query = alertsQuery(ctx)
    .orderBy('alerts.id', 'desc')
    .limit(limit + 1)
  if (options.state === 'active') query = query.where('alerts.state', '<>', 'resolved')
  else if (options.state) query = query.where('alerts.state', '=', options.state)
  if (options.cursor) query = query.where('alerts.id', '<', options.cursor)
  const rows = (await query.execute()) as Joined[]
  const now = ctx.clock.now()
  const items = rows.slice(0, limit).map((row) => view(row, now))
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null }
}

export async function getAlert(ctx: AppContext, id: string) {
  const row = (await alertsQuery(ctx).where('alerts.id', '=', id).executeTakeFirst()) as Joined | undefined
  if (!row) throw notFound('No such alert')
  const events = await ctx.db
    .selectFrom('alert_events')
    .selectAll()
    .where('alert_id', '=', id)
    .orderBy('id')
    .execute()
  return {
    ...view(row, ctx.clock.now()),
    timeline: events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, detail: e.detail })),
  }
}

/** Acknowledging stops further escalation steps; the alert still resolves and says so. */
export async function acknowledgeAlert(
  ctx: AppContext,
  id: string,
  note: string | undefined,
  actor: Actor,
  request?: RequestFacts,
) {
  const now = ctx.clock.now()
  await ctx.db.transaction().execute(async (tx) => {
    const alert = await tx
      .selectFrom('alerts')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    if (!alert) throw notFound('No such alert')
    if (alert.state !== 'firing')
      throw conflict(`Only a firing alert can be acknowledged (this one is ${alert.state})`)
    if (alert.acknowledged_at) throw conflict('The alert is already acknowledged')
    const by = actorLabel(actor)
    await tx
      .updateTable('alerts')
      .set({ acknowledged_at: now, acknowledged_by: by, ack_note: note ?? null, updated_at: now })
      .where('id', '=', id)
      .execute()
    await tx
      .insertInto('alert_events')
      .values({
        alert_id: id,
        at: now,
        kind: 'acknowledged',
        detail: JSON.stringify({ by, note: note ?? null }),
      })
      .execute()
    await recordAudit(tx, { actor, action: 'alert_acknowledge', target: { type: 'alert', id }, request })
  })
  await publishBusinessEvent(ctx, 'alert.changed', { id })
  return getAlert(ctx, id)
}

export async function listPolicies(ctx: AppContext) {
  const rows = await ctx.db.selectFrom('escalation_policies').selectAll().execute()
  const stored = new Map(rows.map((r) => [r.severity, r]))
  return (Object.keys(DEFAULT_POLICIES) as AlertSeverity[]).map((severity) => ({
    severity,
    steps: (stored.get(severity)?.steps as EscalationStep[] | undefined) ?? DEFAULT_POLICIES[severity],
    updatedAt: stored.get(severity)?.updated_at.toISOString() ?? 'default',
  }))
}

export async function setPolicy(
  ctx: AppContext,
  severity: AlertSeverity,
  steps: EscalationStep[],
  actor: Actor,
  request?: RequestFacts,
) {
  for (const step of steps)
    for (const target of step.notify)
      if (!isEscalationTarget(target))
        throw badRequest(
          `Unknown target "${target}": use slack, email, oncall, oncall:secondary, role:<engineering_lead|vp_engineering|cto|ceo> or channel:<name>`,
        )
  const ordered = steps.every((step, i) => i === 0 || step.afterMinutes > steps[i - 1]!.afterMinutes)
  if (!ordered) throw badRequest('Steps must be in increasing afterMinutes order')
  const before = (await listPolicies(ctx)).find((p) => p.severity === severity)
  const now = ctx.clock.now()
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('escalation_policies')
      .values({ severity, steps: JSON.stringify(steps), updated_at: now })
      .onConflict((oc) =>
        oc.column('severity').doUpdateSet({ steps: JSON.stringify(steps), updated_at: now }),
      )
      .execute()
    await recordAudit(tx, {
      actor,
      action: 'escalation_policy_change',
      target: { type: 'escalation_policy', id: severity },
      request,
      oldValues: { steps: before?.steps },
      newValues: { steps },
    })
  })
  return { severity, steps, updatedAt: now.toISOString() }
}
