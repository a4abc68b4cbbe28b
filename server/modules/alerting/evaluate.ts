import { type Selectable, sql, type Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { AlertSeverity, AlertsTable, Tables } from '../../platform/db/schema.ts'
import { elapsedMs } from '../../platform/numbers.ts'
import { escalateIncidents } from '../incidents/escalation.ts'
import { linkFiringAlert } from '../incidents/from-alerts.ts'
import {
  activeMaintenance,
  type MaintenanceOccurrence,
  maintenanceOccurrences,
} from '../maintenance/service.ts'
import { wakeDelivery } from '../notifications/service.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { judge, type Verdict } from './conditions.ts'
import { type EscalationStep, RECORDED_RULES } from './defaults.ts'
import { type AlertMessage, loadPolicies, type Recipient, resolveTargets, sendTo } from './escalation.ts'
import { nextStep } from './lifecycle.ts'
import { memo, ReadingCache, readFor } from './readings.ts'
import { conditionOf, type RuleRow } from './rules.ts'
import { activeSilences, type SilenceRow, silenceFor } from './silences.ts'

/**
 * One evaluation: read every enabled rule's numbers, move each alert along its life (pending →
 * firing → resolved), take the escalation steps that are due, announce silences that ran out,
 * and send one summary for each maintenance window that ended. Everything an alert does is
 * written in one transaction with the messages it causes, so a crash at any point leaves a
 * state the next evaluation continues from: no step skipped, none repeated.
 */

export type AlertRow = Selectable<AlertsTable>

export interface EvaluationReport {
  evaluated: boolean
  rules: number
  opened: number
  fired: number
  resolved: number
  notifications: number
  durationMs: number
}

type Tx = Transaction<Tables>

const SEVERITY_LABEL: Record<AlertSeverity, string> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
}

function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))
}

export function fingerprintOf(rule: Pick<RuleRow, 'id' | 'labels'>): string {
  return `${rule.id}:${labelKey(rule.labels)}`
}

async function event(tx: Tx, alertId: string, at: Date, kind: string, detail: Record<string, unknown> = {}) {
  await tx
    .insertInto('alert_events')
    .values({ alert_id: alertId, at, kind, detail: JSON.stringify(detail) })
    .execute()
}

function alertMessage(
  ctx: AppContext,
  alert: AlertRow,
  rule: Pick<RuleRow, 'name' | 'metric'>,
  title: string,
) {
  return {
    title,
    text: alert.summary,
    severity: alert.severity,
    fields: [
      { label: 'Rule', value: rule.name },
      { label: 'Metric', value: rule.metric },
      { label: 'Severity', value: SEVERITY_LABEL[alert.severity] },
      { label: 'Since', value: (alert.fired_at ?? alert.pending_since).toISOString() },
    ],
    link: `${ctx.config.publicUrl}/ops/alerts/${alert.id}`,
    source: `alert:${alert.id}`,
  } satisfies AlertMessage
}

/** Everyone an alert's messages reached so far (for the "resolved" message and expiry notices). */
async function notifiedSoFar(tx: Tx, alertId: string): Promise<Recipient[]> {
  const rows = await tx
    .selectFrom('alert_events')
    .select('detail')
    .where('alert_id', '=', alertId)
    .where('kind', '=', 'notified')
    .orderBy('id')
    .execute()
  const seen = new Map<string, Recipient>()
  for (const row of rows)
    for (const recipient of (row.detail.recipients as Recipient[] | undefined) ?? [])
      seen.set(JSON.stringify([recipient.target, recipient.mention ?? null]), recipient)
  return [...seen.values()]
}

class Evaluation {
  readonly report: EvaluationReport = {
    evaluated: true,
    rules: 0,
    opened: 0,
    fired: 0,
    resolved: 0,
    notifications: 0,
    durationMs: 0,
  }
  changed = false
  incidentsChanged = false
  silences: SilenceRow[] = []
  policies: Record<AlertSeverity, EscalationStep[]> | undefined
  readonly #targets = new Map<string, ReturnType<typeof resolveTargets>>()

  constructor(
    readonly ctx: AppContext,
    readonly now: Date,
  ) {}

  async run(): Promise<EvaluationReport> {
    const started = performance.now()
    const { ctx, now } = this
    const enabled = await ctx.db.selectFrom('alert_rules').selectAll().where('enabled', '=', true).execute()
    // Rules the app records itself have no stored metric to read (an alert left firing by a
    // process that stopped while recording one is resolved below, as an orphan).
    const rules = enabled.filter((rule) => !RECORDED_RULES.has(rule.builtin ?? ''))
    this.report.rules = rules.length
    const active = await ctx.db.selectFrom('alerts').selectAll().where('state', '<>', 'resolved').execute()
    const byFingerprint = new Map(active.map((a) => [a.fingerprint, a]))
    this.silences = await activeSilences(ctx, now)
    const cache = new ReadingCache(ctx)
    const verdicts = await Promise.all(
      rules.map(async (rule): Promise<Verdict> => {
        try {
          const condition = conditionOf(rule)
          const reading = await readFor(
            cache,
            { metric: rule.metric, condition, since: rule.updated_at },
            now,
          )
          return judge(condition, rule.severity, reading)
        } catch (error) {
          ctx.logger.warn({ err: error, rule: rule.name }, 'alert rule could not be read')
          return { state: 'unknown', summary: 'the metric could not be read' }
        }
      }),
    )
    for (const [index, rule] of rules.entries())
      await this.apply(rule, byFingerprint.get(fingerprintOf(rule)), verdicts[index]!)
    await this.refreshValues()
    await this.endOrphans(active, new Set(rules.map(fingerprintOf)))
    // Summaries first: they reset the escalation of alerts still firing after a window.
    await this.summariseMaintenance()
    await this.escalateAll()
    const incidents = await escalateIncidents(ctx, now, (notify) => this.targets(notify))
    this.report.notifications += incidents.notifications
    this.incidentsChanged ||= incidents.changed
    this.report.durationMs = elapsedMs(started)
    await this.announce()
    return this.report
  }

  /** Wakes delivery for the messages written and tells the pages what changed. */
  async announce(): Promise<void> {
    const { ctx, now } = this
    if (this.report.notifications > 0) wakeDelivery(ctx)
    if (this.changed) await publishBusinessEvent(ctx, 'alert.changed', { at: now.toISOString() })
    if (this.incidentsChanged) await publishBusinessEvent(ctx, 'incident.changed', { at: now.toISOString() })
  }

  async apply(rule: RuleRow, alert: AlertRow | undefined, verdict: Verdict): Promise<void> {
    const { ctx, now } = this
    const step = nextStep(
      alert && alert.state !== 'resolved'
        ? { state: alert.state, pendingSince: alert.pending_since }
        : undefined,
      verdict,
      rule.for_seconds,
      now,
    )
    if (step === 'none') return
    if (verdict.state === 'unknown') return
    if (step === 'update' && alert && verdict.state === 'breach' && alert.severity === verdict.severity) {
      this.#values.push({ id: alert.id, value: verdict.value, summary: verdict.summary })
      return
    }
    this.changed ||= step !== 'update'
    // Read before the transaction: the embedded engine has one connection.
    const firing = step === 'open-firing' || step === 'fire'
    const window = firing ? await this.maintenanceNow() : undefined
    await ctx.db.transaction().execute(async (tx) => {
      if (step === 'open-pending' || step === 'open-firing') {
        if (verdict.state !== 'breach') return
        const inserted = await tx
          .insertInto('alerts')
          .values({
            rule_id: rule.id,
            fingerprint: fingerprintOf(rule),
            labels: JSON.stringify(rule.labels),
            state: firing ? 'firing' : 'pending',
            severity: verdict.severity,
            value: verdict.value,
            summary: verdict.summary,
            pending_since: now,
            fired_at: firing ? now : null,
            escalation_anchor_at: firing ? now : null,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow()
        this.report.opened += 1
        await event(tx, inserted.id, now, 'pending', { value: verdict.value, summary: verdict.summary })
        if (firing) await this.fire(tx, rule, inserted, window)
      } else if (step === 'fire') {
        if (!alert || verdict.state !== 'breach') return
        const updated = await tx
          .updateTable('alerts')
          .set({
            state: 'firing',
            severity: verdict.severity,
            value: verdict.value,
            summary: verdict.summary,
            fired_at: now,
            escalation_anchor_at: now,
            updated_at: now,
          })
          .where('id', '=', alert.id)
          .returningAll()
          .executeTakeFirstOrThrow()
        await this.fire(tx, rule, updated, window)
      } else if (step === 'drop') {
        if (alert) await tx.deleteFrom('alerts').where('id', '=', alert.id).execute()
      } else if (step === 'resolve') {
        if (alert) await this.resolve(tx, rule, alert, verdict)
      } else if (step === 'update' && alert && verdict.state === 'breach') {
        if (alert.severity !== verdict.severity)
          await event(tx, alert.id, now, 'severity', { from: alert.severity, to: verdict.severity })
        await tx
          .updateTable('alerts')
          .set({
            severity: verdict.severity,
            value: verdict.value,
            summary: verdict.summary,
            updated_at: now,
          })
          .where('id', '=', alert.id)
          .execute()
      }
    })
  }

  readonly #values: { id: string; value: number | null; summary: string }[] = []

  /** The latest value and summary of every alert that only went on breaching: one statement. */
  async refreshValues(): Promise<void> {
    if (this.#values.length === 0) return
    const rows = this.#values.map((v) => sql`(${v.id}::bigint, ${v.value}::float8, ${v.summary}::text)`)
    await sql`update alerts as a set value = v.value, summary = v.summary, updated_at = ${this.now}
      from (values ${sql.join(rows)}) as v (id, value, summary) where a.id = v.id`.execute(this.ctx.db)
  }

  #maintenance: Promise<MaintenanceOccurrence | undefined> | undefined

  /** The maintenance window in progress that ends last, read once per evaluation. */
  maintenanceNow(): Promise<MaintenanceOccurrence | undefined> {
    this.#maintenance ??= activeMaintenance(this.ctx, this.now).then(
      (windows) => windows.sort((a, b) => b.end.getTime() - a.end.getTime())[0],
    )
    return this.#maintenance
  }

  /**
   * Records the firing, and the maintenance window it started in, if any; outside a window the
   * alert joins a related open incident or (critical) opens one.
   */
  async fire(
    tx: Tx,
    rule: RuleRow,
    alert: AlertRow,
    window: MaintenanceOccurrence | undefined,
  ): Promise<void> {
    const { now } = this
    this.report.fired += 1
    await event(tx, alert.id, now, 'firing', {
      severity: alert.severity,
      value: alert.value,
      summary: alert.summary,
    })
    if (!window) {
      const linked = await linkFiringAlert(
        this.ctx,
        tx,
        {
          id: alert.id,
          ruleId: rule.id,
          ruleName: rule.name,
          metric: rule.metric,
          severity: alert.severity,
          summary: alert.summary,
        },
        now,
      )
      if (linked) {
        await event(tx, alert.id, now, linked.opened ? 'incident_opened' : 'incident_attached', {
          incident: linked.incidentId,
        })
        this.incidentsChanged = true
      }
    }
    if (window) {
      await tx
        .updateTable('alerts')
        .set({ maintenance_window_id: window.windowId, maintenance_ends_at: window.end })
        .where('id', '=', alert.id)
        .execute()
      await event(tx, alert.id, now, 'maintenance', {
        window: window.title,
        until: window.end.toISOString(),
        note: 'notifications held until the window ends; one summary then',
      })
    }
  }

  /**
   * Alerts whose rule was disabled (or whose labels changed) are no longer evaluated: a pending
   * one is dropped, a firing one resolves, telling whoever heard of it.
   */
  async endOrphans(active: AlertRow[], evaluated: Set<string>): Promise<void> {
    const orphans = active.filter((alert) => !evaluated.has(alert.fingerprint))
    if (orphans.length === 0) return
    const rules = await this.ctx.db
      .selectFrom('alert_rules')
      .selectAll()
      .where(
        'id',
        'in',
        orphans.map((a) => a.rule_id),
      )
      .execute()
    const byId = new Map(rules.map((rule) => [rule.id, rule]))
    const summary = 'the rule is no longer evaluated (disabled or changed)'
    for (const alert of orphans) {
      const rule = byId.get(alert.rule_id)
      if (rule) await this.apply(rule, alert, { state: 'ok', value: alert.value, summary })
    }
  }

  async resolve(tx: Tx, rule: RuleRow, alert: AlertRow, verdict: Verdict): Promise<void> {
    const { ctx, now } = this
    const summary = verdict.state === 'unknown' ? alert.summary : verdict.summary
    const resolved = await tx
      .updateTable('alerts')
      .set({
        state: 'resolved',
        resolved_at: now,
        value: verdict.state === 'unknown' ? alert.value : verdict.value,
        summary,
        updated_at: now,
      })
      .where('id', '=', alert.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    this.report.resolved += 1
    await event(tx, alert.id, now, 'resolved', { summary })
    // Everyone who heard of it hears it is over, silenced since or not.
    const recipients = await notifiedSoFar(tx, alert.id)
    if (recipients.length === 0) return
    const message = alertMessage(ctx, resolved, rule, `[RESOLVED] ${rule.name}`)
    this.report.notifications += await sendTo(ctx, tx, recipients, `alert:${alert.id}:resolved`, {
      ...message,
      severity: 'info',
    })
    await event(tx, alert.id, now, 'resolved_notified', { recipients })
  }

  async escalateAll(): Promise<void> {
    const { ctx } = this
    const firing = await ctx.db
      .selectFrom('alerts')
      .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
      .selectAll('alerts')
      .select([
        'alert_rules.name as rule_name',
        'alert_rules.metric as rule_metric',
        sql<
          number[]
        >`coalesce((select array_agg(s.step) from alert_steps s where s.alert_id = alerts.id), '{}')`.as(
          'steps_done',
        ),
      ])
      .where('alerts.state', '=', 'firing')
      .execute()
    if (firing.length === 0) return
    this.policies ??= await loadPolicies(ctx.db)
    for (const alert of firing)
      await this.escalate(
        alert,
        { name: alert.rule_name, metric: alert.rule_metric },
        new Set(alert.steps_done),
      )
  }

  /** Who a step's targets reach now; the same answer for every alert in one evaluation. */
  targets(notify: string[]) {
    return memo(this.#targets, JSON.stringify(notify), () => resolveTargets(this.ctx, notify, this.now))
  }

  /**
   * Silences and maintenance hold an alert's steps (they wait, they are not skipped); when a
   * silence ends the steps go on from where they were, counted from the end of the silence, and
   * whoever had been told hears that the silence ran out.
   */
  async escalate(alert: AlertRow, rule: Pick<RuleRow, 'name' | 'metric'>, done: Set<number>): Promise<void> {
    const { ctx, now } = this
    const silence = silenceFor(this.silences, alert)
    const silenceId = silence?.id ?? null
    const inMaintenance = alert.maintenance_ends_at !== null && alert.maintenance_ends_at > now
    if (silenceId !== alert.silenced_by) {
      await ctx.db.transaction().execute(async (tx) => {
        await tx.updateTable('alerts').set({ silenced_by: silenceId }).where('id', '=', alert.id).execute()
        if (silence)
          await event(tx, alert.id, now, 'silenced', { silence: silence.id, reason: silence.reason })
        else if (alert.silenced_by !== null && alert.state === 'firing')
          await this.silenceEnded(tx, alert, rule, alert.silenced_by)
      })
      this.changed = true
      if (silence) return
      alert = await ctx.db
        .selectFrom('alerts')
        .selectAll()
        .where('id', '=', alert.id)
        .executeTakeFirstOrThrow()
    }
    if (silence || inMaintenance || alert.acknowledged_at) return
    const steps = this.policies![alert.severity]
    const anchor = (alert.escalation_anchor_at ?? alert.fired_at ?? now).getTime()
    for (const [index, step] of steps.entries()) {
      if (done.has(index) || anchor + step.afterMinutes * 60_000 > now.getTime()) continue
      const { recipients, unreached } = await this.targets(step.notify)
      await ctx.db.transaction().execute(async (tx) => {
        const claimed = await tx
          .insertInto('alert_steps')
          .values({ alert_id: alert.id, step: index, done_at: now, outcome: 'sent' })
          .onConflict((oc) => oc.doNothing())
          .returning('step')
          .executeTakeFirst()
        if (!claimed) return // another evaluation took it
        const message = alertMessage(
          ctx,
          alert,
          rule,
          `[${SEVERITY_LABEL[alert.severity]}] ${rule.name}${index > 0 ? ` (escalation ${index})` : ''}`,
        )
        this.report.notifications += await sendTo(
          ctx,
          tx,
          recipients,
          `alert:${alert.id}:step:${index}`,
          message,
        )
        await event(tx, alert.id, now, 'notified', {
          step: index,
          targets: step.notify,
          recipients,
          unreached,
        })
      })
      this.changed = true
    }
  }

  async silenceEnded(tx: Tx, alert: AlertRow, rule: Pick<RuleRow, 'name' | 'metric'>, silenceId: string) {
    const { ctx, now } = this
    const steps = this.policies![alert.severity]
    const done = await tx.selectFrom('alert_steps').select('step').where('alert_id', '=', alert.id).execute()
    const lastDone = Math.max(-1, ...done.map((row) => row.step))
    const lastAfter = lastDone >= 0 ? (steps[lastDone]?.afterMinutes ?? 0) : 0
    await tx
      .updateTable('alerts')
      .set({ escalation_anchor_at: new Date(now.getTime() - lastAfter * 60_000) })
      .where('id', '=', alert.id)
      .execute()
    await event(tx, alert.id, now, 'silence_expired', { silence: silenceId })
    const recipients = await notifiedSoFar(tx, alert.id)
    if (recipients.length === 0) return
    const message = alertMessage(ctx, alert, rule, `[SILENCE ENDED] ${rule.name} is still firing`)
    this.report.notifications += await sendTo(
      ctx,
      tx,
      recipients,
      `alert:${alert.id}:silence:${silenceId}`,
      message,
    )
  }

  /**
   * For each maintenance window that ended: one message listing the alerts that fired inside it,
   * and the ones still firing continue their escalation from the next step, counted from the end.
   */
  async summariseMaintenance(): Promise<void> {
    const { ctx, now } = this
    const ended = await ctx.db
      .selectFrom('alerts')
      .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
      .leftJoin('maintenance_summaries', (join) =>
        join
          .onRef('maintenance_summaries.window_id', '=', 'alerts.maintenance_window_id')
          .onRef('maintenance_summaries.occurrence_end', '=', 'alerts.maintenance_ends_at'),
      )
      .selectAll('alerts')
      .select(['alert_rules.name as rule_name'])
      .where('alerts.maintenance_ends_at', '<=', now)
      .where('maintenance_summaries.window_id', 'is', null)
      .orderBy('alerts.id')
      .execute()
    if (ended.length === 0) return
    const groups = new Map<string, typeof ended>()
    for (const alert of ended) {
      const key = `${alert.maintenance_window_id}|${alert.maintenance_ends_at!.toISOString()}`
      groups.set(key, [...(groups.get(key) ?? []), alert])
    }
    for (const alerts of groups.values()) await this.summarise(alerts)
  }

  async summarise(alerts: Array<AlertRow & { rule_name: string }>): Promise<void> {
    const { ctx, now } = this
    const first = alerts[0]!
    const windowId = first.maintenance_window_id!
    const end = first.maintenance_ends_at!
    const [occurrence] = (
      await maintenanceOccurrences(ctx, { from: new Date(end.getTime() - 1), to: end })
    ).filter((o) => o.windowId === windowId && o.end.getTime() === end.getTime())
    const start = occurrence?.start ?? first.fired_at ?? end
    const { recipients, unreached } = await this.targets(['slack', 'email'])
    await ctx.db.transaction().execute(async (tx) => {
      const claimed = await tx
        .insertInto('maintenance_summaries')
        .values({ window_id: windowId, occurrence_end: end, sent_at: now })
        .onConflict((oc) => oc.doNothing())
        .returning('window_id')
        .executeTakeFirst()
      if (!claimed) return
      const lines = alerts.map(
        (a) =>
          `• [${SEVERITY_LABEL[a.severity]}] ${a.rule_name}: ${a.state === 'resolved' ? 'resolved' : 'STILL FIRING'}`,
      )
      const stillFiring = alerts.filter((a) => a.state === 'firing')
      this.report.notifications += await sendTo(
        ctx,
        tx,
        recipients,
        `maintenance:${windowId}:${end.toISOString()}`,
        {
          title:
            `Maintenance ${occurrence?.title ?? ''} ended: ${alerts.length} alert(s) during the window`.replace(
              '  ',
              ' ',
            ),
          text: [...lines, stillFiring.length > 0 ? 'Alerts still firing escalate from now on.' : '']
            .join('\n')
            .trim(),
          severity: stillFiring.some((a) => a.severity === 'critical') ? 'critical' : 'info',
          fields: [
            { label: 'Window', value: `${start.toISOString()} – ${end.toISOString()}` },
            { label: 'Still firing', value: String(stillFiring.length) },
          ],
          link: `${ctx.config.publicUrl}/ops`,
          source: `maintenance:${windowId}`,
        },
      )
      for (const alert of alerts) {
        await event(tx, alert.id, now, 'maintenance_summary', { recipients, unreached })
        if (alert.state !== 'firing') continue
        // The summary stands for the first step; later steps count from the end of the window.
        await tx
          .insertInto('alert_steps')
          .values({ alert_id: alert.id, step: 0, done_at: now, outcome: 'suppressed' })
          .onConflict((oc) => oc.doNothing())
          .execute()
        await tx.updateTable('alerts').set({ escalation_anchor_at: end }).where('id', '=', alert.id).execute()
      }
    })
    this.changed = true
  }
}

export async function evaluateAlerts(ctx: AppContext): Promise<EvaluationReport> {
  return new Evaluation(ctx, ctx.clock.now()).run()
}

export type Breach = Extract<Verdict, { state: 'breach' }>

/**
 * Records an alert whose whole life passed while nothing could be written (an outage of the
 * database itself, kept in memory meanwhile): opened at `start` as an evaluation then would have
 * opened it (firing, incident, maintenance), the escalation steps due by `end` taken, resolved at
 * `end` with its "resolved" message. Runs inside a claimed evaluation, so replicas that saw the
 * same outage take turns: the second finds a resolved alert of the rule overlapping it and
 * records nothing. A recording cut short (the database gone again) is continued from the alert
 * it left active. Answers whether it recorded one.
 */
export async function recordElapsedAlert(
  ctx: AppContext,
  rule: RuleRow,
  breach: Breach,
  start: Date,
  end: Date,
): Promise<boolean> {
  const recorded = await ctx.db
    .selectFrom('alerts')
    .select('id')
    .where('rule_id', '=', rule.id)
    .where('state', '=', 'resolved')
    .where('pending_since', '<=', end)
    .where('resolved_at', '>=', start)
    .executeTakeFirst()
  if (recorded) return false
  const active = () =>
    ctx.db
      .selectFrom('alerts')
      .selectAll()
      .where('fingerprint', '=', fingerprintOf(rule))
      .where('state', '<>', 'resolved')
      .executeTakeFirst()
  const opening = new Evaluation(ctx, start)
  let alert = await active()
  if (!alert) {
    await opening.apply(rule, undefined, breach)
    alert = await active()
  }
  const closing = new Evaluation(ctx, end)
  // Pending for the rule's `for` duration: fires at the end if the outage lasted that long.
  if (alert?.state === 'pending') {
    await closing.apply(rule, alert, breach)
    alert = await active()
  }
  if (alert?.state === 'firing') {
    closing.policies = await loadPolicies(ctx.db)
    closing.silences = await activeSilences(ctx, end)
    await closing.escalate(alert, rule, new Set())
    alert = await active()
  }
  if (alert) await closing.apply(rule, alert, { state: 'ok', value: breach.value, summary: breach.summary })
  await opening.announce()
  await closing.announce()
  return true
}
