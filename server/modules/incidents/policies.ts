import type { AppContext } from '../../context.ts'
import type { IncidentSeverity } from '../../platform/db/schema.ts'
import { badRequest, conflict, notFound } from '../../platform/http/errors.ts'
import { actorLabel } from '../../platform/http/principal.ts'
import { type EscalationStep, isEscalationTarget } from '../alerting/defaults.ts'
import { recordAudit } from '../audit/service.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { DEFAULT_INCIDENT_POLICIES, SEVERITIES } from './defaults.ts'
import { attach } from './from-alerts.ts'
import { type Change, getIncident } from './service.ts'

/** Incident escalation policies (admin) and attaching an alert by hand. */

export async function listIncidentPolicies(ctx: AppContext) {
  const rows = await ctx.db.selectFrom('incident_policies').selectAll().execute()
  const stored = new Map(rows.map((r) => [r.severity, r]))
  return SEVERITIES.map((severity) => ({
    severity,
    steps:
      (stored.get(severity)?.steps as EscalationStep[] | undefined) ?? DEFAULT_INCIDENT_POLICIES[severity],
    updatedAt: stored.get(severity)?.updated_at.toISOString() ?? 'default',
  }))
}

export async function setIncidentPolicy(
  ctx: AppContext,
  severity: IncidentSeverity,
  steps: EscalationStep[],
  change: Change,
) {
  for (const step of steps)
    for (const target of step.notify)
      if (!isEscalationTarget(target))
        throw badRequest(
          `Unknown target "${target}": use slack, email, oncall, oncall:secondary, role:<engineering_lead|vp_engineering|cto|ceo> or channel:<name>`,
        )
  if (!steps.every((step, i) => i === 0 || step.afterMinutes > steps[i - 1]!.afterMinutes))
    throw badRequest('Steps must be in increasing afterMinutes order')
  const before = (await listIncidentPolicies(ctx)).find((p) => p.severity === severity)
  const now = ctx.clock.now()
  const value = JSON.stringify(steps)
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('incident_policies')
      .values({ severity, steps: value, updated_at: now })
      .onConflict((oc) => oc.column('severity').doUpdateSet({ steps: value, updated_at: now }))
      .execute()
    await recordAudit(tx, {
      actor: change.actor,
      action: 'incident_policy_change',
      target: { type: 'incident_policy', id: severity },
      request: change.request,
      oldValues: { steps: before?.steps },
      newValues: { steps },
    })
  })
  return { severity, steps, updatedAt: now.toISOString() }
}

export async function attachAlert(ctx: AppContext, incidentId: string, alertId: string, change: Change) {
  const now = ctx.clock.now()
  const alert = await ctx.db
    .selectFrom('alerts')
    .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
    .select([
      'alerts.id',
      'alerts.rule_id',
      'alerts.severity',
      'alerts.summary',
      'alert_rules.name',
      'alert_rules.metric',
    ])
    .where('alerts.id', '=', alertId)
    .executeTakeFirst()
  if (!alert) throw notFound('No such alert')
  await ctx.db.transaction().execute(async (tx) => {
    const incident = await tx
      .selectFrom('incidents')
      .select('id')
      .where('id', '=', incidentId)
      .forUpdate()
      .executeTakeFirst()
    if (!incident) throw notFound('No such incident')
    const attached = await attach(
      tx,
      incidentId,
      {
        id: alert.id,
        ruleId: alert.rule_id,
        ruleName: alert.name,
        metric: alert.metric,
        severity: alert.severity,
        summary: alert.summary,
      },
      now,
      actorLabel(change.actor),
    )
    if (!attached) throw conflict('The alert is already attached to an incident')
    await recordAudit(tx, {
      actor: change.actor,
      action: 'incident_update',
      target: { type: 'incident', id: incidentId },
      request: change.request,
      newValues: { alert: alertId },
    })
  })
  await publishBusinessEvent(ctx, 'incident.changed', { id: incidentId })
  return getIncident(ctx, incidentId)
}
