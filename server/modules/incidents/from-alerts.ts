import { sql, type Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { AlertSeverity, Tables } from '../../platform/db/schema.ts'
import { createIncident } from './service.ts'
import { recordEvent } from './timeline.ts'

/**
 * Alerts and incidents. When an alert fires, it attaches to a related open incident: one that
 * already holds an alert of the same rule, or else the newest open incident that was opened or
 * got an alert within INCIDENT_ATTACH_WINDOW_MINUTES. A critical alert with no related incident
 * opens one of severity INCIDENT_AUTO_OPEN (unless `off`). Runs in the transaction that records
 * the firing, so an alert is never left firing without its incident after a crash.
 */

type Tx = Transaction<Tables>

export interface FiringAlert {
  id: string
  ruleId: string
  ruleName: string
  metric: string
  severity: AlertSeverity
  summary: string
}

export async function linkFiringAlert(
  ctx: AppContext,
  tx: Tx,
  alert: FiringAlert,
  now: Date,
): Promise<{ incidentId: string; opened: boolean } | null> {
  const windowStart = new Date(now.getTime() - ctx.config.incidents.attachWindowMinutes * 60_000)
  const related = await tx
    .selectFrom('incidents')
    .select('incidents.id')
    .where('incidents.status', '<>', 'resolved')
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('incident_alerts')
            .innerJoin('alerts', 'alerts.id', 'incident_alerts.alert_id')
            .whereRef('incident_alerts.incident_id', '=', 'incidents.id')
            .where('alerts.rule_id', '=', alert.ruleId),
        ),
        eb('incidents.created_at', '>=', windowStart),
        eb.exists(
          eb
            .selectFrom('incident_alerts')
            .whereRef('incident_alerts.incident_id', '=', 'incidents.id')
            .where('incident_alerts.attached_at', '>=', windowStart),
        ),
      ]),
    )
    // Same rule first, then the newest.
    .orderBy(
      sql`exists (select 1 from incident_alerts ia join alerts a on a.id = ia.alert_id
        where ia.incident_id = incidents.id and a.rule_id = ${alert.ruleId})`,
      'desc',
    )
    .orderBy('incidents.id', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (related) {
    await attach(tx, related.id, alert, now, 'system')
    return { incidentId: related.id, opened: false }
  }
  const severity = ctx.config.incidents.autoOpen
  if (alert.severity !== 'critical' || severity === 'off') return null
  const incident = await createIncident(
    ctx,
    {
      title: `${alert.ruleName}: ${alert.summary}`.slice(0, 200),
      severity,
      impact: `Opened by the critical alert "${alert.ruleName}" (${alert.metric}).`,
      components: [alert.metric],
    },
    { actor: { type: 'system', id: null }, source: 'alert', tx },
  )
  await attach(tx, incident.id, alert, now, 'system')
  return { incidentId: incident.id, opened: true }
}

/** Attaches an alert to an incident (once: an alert belongs to one incident) with a timeline entry. */
export async function attach(tx: Tx, incidentId: string, alert: FiringAlert, now: Date, actor: string) {
  const inserted = await tx
    .insertInto('incident_alerts')
    .values({ alert_id: alert.id, incident_id: incidentId, attached_at: now })
    .onConflict((oc) => oc.column('alert_id').doNothing())
    .returning('alert_id')
    .executeTakeFirst()
  if (!inserted) return false
  await recordEvent(tx, incidentId, now, 'alert_attached', actor, {
    alert: alert.id,
    rule: alert.ruleName,
    severity: alert.severity,
    summary: alert.summary,
  })
  await tx.updateTable('incidents').set({ updated_at: now }).where('id', '=', incidentId).execute()
  return true
}
