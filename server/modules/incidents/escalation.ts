import { sql, type Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Db } from '../../platform/db/database.ts'
import type { IncidentSeverity, Tables } from '../../platform/db/schema.ts'
import type { EscalationStep } from '../alerting/defaults.ts'
import {
  type AlertMessage,
  type Recipient,
  resolveTargets,
  sendTo,
  type Unreached,
} from '../alerting/escalation.ts'
import { DEFAULT_INCIDENT_POLICIES, SEVERITY_DEFINITIONS } from './defaults.ts'
import { recordEvent } from './timeline.ts'

/**
 * Internal escalation of incidents, on the alert engine's parts: the same targets (on-call,
 * roles, channels), the same outbox, and one `incident_steps` row per step written with its
 * messages, so a restart neither skips nor repeats a step. It runs inside the alert evaluation
 * (one at a time across replicas). An acknowledged or resolved incident escalates no further.
 */

type Tx = Transaction<Tables>
type Targets = (notify: string[]) => Promise<{ recipients: Recipient[]; unreached: Unreached[] }>

export async function loadIncidentPolicies(db: Db | Tx): Promise<Record<IncidentSeverity, EscalationStep[]>> {
  const rows = await db.selectFrom('incident_policies').select(['severity', 'steps']).execute()
  const policies = { ...DEFAULT_INCIDENT_POLICIES }
  for (const row of rows) policies[row.severity] = row.steps as EscalationStep[]
  return policies
}

function incidentMessage(
  ctx: AppContext,
  incident: { id: string; title: string; severity: IncidentSeverity; status: string; impact: string },
  title: string,
): AlertMessage {
  return {
    title,
    text: incident.impact || incident.title,
    severity: incident.severity === 'P0' ? 'critical' : incident.severity === 'P1' ? 'high' : 'medium',
    fields: [
      { label: 'Incident', value: `#${incident.id} ${incident.title}` },
      { label: 'Severity', value: `${incident.severity} (${SEVERITY_DEFINITIONS[incident.severity].name})` },
      { label: 'Status', value: incident.status },
    ],
    link: `${ctx.config.publicUrl}/incidents/${incident.id}`,
    source: `incident:${incident.id}`,
  }
}

export interface IncidentEscalationReport {
  notifications: number
  changed: boolean
}

/** Takes every due step of every open, unacknowledged incident, and marks response SLAs missed. */
export async function escalateIncidents(
  ctx: AppContext,
  now: Date,
  targets: Targets = (notify) => resolveTargets(ctx, notify, now),
): Promise<IncidentEscalationReport> {
  const report: IncidentEscalationReport = { notifications: 0, changed: false }
  const open = await ctx.db
    .selectFrom('incidents')
    .selectAll()
    .select((eb) => [
      sql<
        number[] | null
      >`(select array_agg(s.step) from incident_steps s where s.incident_id = incidents.id)`.as('steps_done'),
      eb
        .selectFrom('incident_events')
        .select('incident_events.id')
        .whereRef('incident_events.incident_id', '=', 'incidents.id')
        .where('incident_events.kind', '=', 'sla_breached')
        .limit(1)
        .as('breach_recorded'),
    ])
    .where('status', '<>', 'resolved')
    .where('acknowledged_at', 'is', null)
    .execute()
  if (open.length === 0) return report
  const policies = await loadIncidentPolicies(ctx.db)
  for (const incident of open) {
    if (incident.response_due_at <= now && !incident.breach_recorded) {
      await recordEvent(ctx.db, incident.id, now, 'sla_breached', null, {
        dueAt: incident.response_due_at.toISOString(),
        responseMinutes: SEVERITY_DEFINITIONS[incident.severity].responseMinutes,
      })
      report.changed = true
    }
    const done = new Set(incident.steps_done ?? [])
    for (const [index, step] of policies[incident.severity].entries()) {
      if (
        done.has(index) ||
        incident.escalation_anchor_at.getTime() + step.afterMinutes * 60_000 > now.getTime()
      )
        continue
      const { recipients, unreached } = await targets(step.notify)
      await ctx.db.transaction().execute(async (tx) => {
        const claimed = await tx
          .insertInto('incident_steps')
          .values({ incident_id: incident.id, step: index, done_at: now })
          .onConflict((oc) => oc.doNothing())
          .returning('step')
          .executeTakeFirst()
        if (!claimed) return
        const title =
          index === 0
            ? `[${incident.severity}] Incident #${incident.id}: ${incident.title}`
            : `[${incident.severity}] Incident #${incident.id} not acknowledged after ${step.afterMinutes} min: ${incident.title}`
        report.notifications += await sendTo(
          ctx,
          tx,
          recipients,
          `incident:${incident.id}:step:${index}`,
          incidentMessage(ctx, incident, title),
        )
        await recordEvent(tx, incident.id, now, 'escalated', null, {
          step: index,
          afterMinutes: step.afterMinutes,
          targets: step.notify,
          recipients,
          unreached,
        })
      })
      report.changed = true
    }
  }
  return report
}

/** Everyone escalation reached hears the incident is resolved (in the resolving transaction). */
export async function announceResolved(ctx: AppContext, tx: Tx, id: string, now: Date): Promise<number> {
  const incident = await tx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const events = await tx
    .selectFrom('incident_events')
    .select('detail')
    .where('incident_id', '=', id)
    .where('kind', '=', 'escalated')
    .execute()
  const seen = new Map<string, Recipient>()
  for (const event of events)
    for (const recipient of (event.detail.recipients as Recipient[] | undefined) ?? [])
      seen.set(JSON.stringify([recipient.target, recipient.mention ?? null]), recipient)
  if (seen.size === 0) return 0
  const resolvedCount = await tx
    .selectFrom('incident_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('incident_id', '=', id)
    .where('kind', '=', 'status')
    .executeTakeFirstOrThrow()
  const sent = await sendTo(ctx, tx, [...seen.values()], `incident:${id}:resolved:${resolvedCount.n}`, {
    ...incidentMessage(ctx, incident, `[RESOLVED] Incident #${id}: ${incident.title}`),
    severity: 'info',
  })
  await recordEvent(tx, id, now, 'message', null, {
    template: 'resolved-notice',
    title: `[RESOLVED] Incident #${id}`,
    recipients: [...seen.values()],
  })
  return sent
}
