import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { escalationPeople } from '../../../test/oncall.ts'
import type { AppContext } from '../../context.ts'
import type { AlertSeverity } from '../../platform/db/schema.ts'
import type { Actor } from '../../platform/http/principal.ts'
import { createMaintenanceWindow } from '../maintenance/service.ts'
import { writeSamples } from '../monitoring/store.ts'
import { DEFAULT_RULES } from './defaults.ts'
import { evaluateAlerts } from './evaluate.ts'
import { createRule } from './rules.ts'
import { acknowledgeAlert, listAlerts } from './service.ts'
import { createSilence } from './silences.ts'

const system: Actor = { type: 'system', id: null }
const MINUTE = 60_000

const env = {
  SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/slack-hook',
  SMTP_URL: 'smtp://127.0.0.1:9',
  NOTIFY_EMAIL_TO: 'ops@example.com',
  // Messages stay in the outbox for the assertions; delivery has its own tests.
  NOTIFY_POLL_MS: '0',
  // Alert escalation alone: incidents opened from critical alerts have their own tests.
  INCIDENT_AUTO_OPEN: 'off',
}

let t: TestApp
let clock: TestClock

beforeEach(async () => {
  clock = new TestClock('2026-03-02T10:00:00Z')
  t = await buildTestApp({ clock, env })
  // The built-in rules read the same metrics; these tests add their own.
  await t.ctx.db.updateTable('alert_rules').set({ enabled: false }).execute()
})

afterEach(async () => {
  await t.close()
})

/** A minute of samples of `value` ending now, as a replica's sampler writes them. */
async function metric(ctx: AppContext, name: string, value: number, minutes = 1) {
  const now = ctx.clock.ms()
  const rows = Array.from({ length: minutes * 6 }, (_, i) => ({
    name,
    instanceId: ctx.instanceId,
    at: new Date(now - i * 10_000),
    value,
  }))
  await writeSamples(ctx, rows)
}

async function rule(
  ctx: AppContext,
  name: string,
  severity: AlertSeverity,
  forSeconds = 0,
  metricName = 'cpu_percent',
) {
  return createRule(
    ctx,
    {
      name,
      metric: metricName,
      kind: 'threshold',
      params: { op: '>=', alert: 90, windowSeconds: 60 },
      severity,
      forSeconds,
    },
    system,
  )
}

/** Moves the clock, keeps the metric where it is, evaluates. */
async function at(minutes: number, value: number, start: number) {
  const target = start + minutes * MINUTE
  clock.advance(target - clock.ms())
  await metric(t.ctx, 'cpu_percent', value)
  return evaluateAlerts(t.ctx)
}

async function outbox(ctx: AppContext, alertId?: string) {
  let query = ctx.db
    .selectFrom('notification_outbox')
    .select(['channel', 'destination', 'title', 'source', 'created_at'])
    .orderBy('id')
  if (alertId) query = query.where('source', '=', `alert:${alertId}`)
  return (await query.execute()).map((m) => ({ to: m.channel ?? m.destination, title: m.title }))
}

async function alertFor(ctx: AppContext, ruleName: string) {
  const { items } = await listAlerts(ctx, { limit: 200 })
  const found = items.find((a) => a.ruleName === ruleName)
  if (!found) throw new Error(`no alert for ${ruleName}`)
  return found
}

describe('rule evaluation', () => {
  it('waits the for duration, fires, and sends "resolved" to everyone told at the next evaluation after clearing', async () => {
    const start = clock.ms()
    await rule(t.ctx, 'Hot CPU', 'medium', 120)
    await at(0, 95, start)
    expect((await alertFor(t.ctx, 'Hot CPU')).state).toBe('pending')
    await at(1, 95, start)
    expect((await alertFor(t.ctx, 'Hot CPU')).state).toBe('pending')
    expect(await outbox(t.ctx)).toEqual([])
    const fired = await at(2, 95, start)
    expect(fired).toMatchObject({ fired: 1, notifications: 1 })
    const alert = await alertFor(t.ctx, 'Hot CPU')
    expect(alert.state).toBe('firing')
    expect(await outbox(t.ctx, alert.id)).toEqual([{ to: 'slack', title: '[MEDIUM] Hot CPU' }])

    // The next evaluation after the value is back under the level resolves it and says so.
    const cleared = await at(3, 10, start)
    expect(cleared).toMatchObject({ resolved: 1 })
    expect((await listAlerts(t.ctx, { state: 'resolved' })).items.map((a) => a.id)).toEqual([alert.id])
    expect(await outbox(t.ctx, alert.id)).toEqual([
      { to: 'slack', title: '[MEDIUM] Hot CPU' },
      { to: 'slack', title: '[RESOLVED] Hot CPU' },
    ])
  })

  it('drops a pending alert that clears before its for duration, telling nobody', async () => {
    const start = clock.ms()
    await rule(t.ctx, 'Flappy', 'high', 300)
    await at(0, 95, start)
    await at(2, 10, start)
    expect((await listAlerts(t.ctx)).items).toEqual([])
    expect(await outbox(t.ctx)).toEqual([])
  })

  it('resolves a firing alert when its rule is disabled, telling whoever heard of it', async () => {
    const start = clock.ms()
    const hot = await rule(t.ctx, 'Disabled later', 'medium')
    await at(0, 95, start)
    await t.ctx.db.updateTable('alert_rules').set({ enabled: false }).where('id', '=', hot.id).execute()
    await at(1, 95, start)
    const alert = await alertFor(t.ctx, 'Disabled later')
    expect(alert).toMatchObject({
      state: 'resolved',
      summary: 'the rule is no longer evaluated (disabled or changed)',
    })
    expect((await outbox(t.ctx, alert.id)).map((m) => m.title)).toEqual([
      '[MEDIUM] Disabled later',
      '[RESOLVED] Disabled later',
    ])
  })

  it('keeps one alert per rule however often it is evaluated (deduplicated)', async () => {
    const start = clock.ms()
    await rule(t.ctx, 'Once', 'low')
    for (let minute = 0; minute < 5; minute++) await at(minute, 95, start)
    expect((await listAlerts(t.ctx)).items).toHaveLength(1)
  })

  it('fires a 50 % drop against the same time a week earlier from stored history', async () => {
    const weekAgo = new Date(clock.ms() - 7 * 24 * 60 * MINUTE)
    const samples = (value: number, end: number) =>
      Array.from({ length: 5 }, (_, i) => ({
        name: 'active_users',
        instanceId: '*',
        at: new Date(end - i * MINUTE),
        value,
      }))
    await writeSamples(t.ctx, [...samples(40, weekAgo.getTime()), ...samples(18, clock.ms())])
    await t.ctx.db
      .updateTable('alert_rules')
      .set({ enabled: true })
      .where('builtin', '=', 'active-users-drop')
      .execute()
    await evaluateAlerts(t.ctx)
    const alert = await alertFor(t.ctx, 'Active users drop')
    expect(alert).toMatchObject({ state: 'firing', severity: 'high', value: 18 })
    expect(alert.summary).toContain('-55.0%')
  })

  it('fires a dead-man switch when a metric stops arriving, and resolves when it comes back', async () => {
    const start = clock.ms()
    await createRule(
      t.ctx,
      {
        name: 'Sampler silent',
        metric: 'cpu_percent',
        kind: 'absence',
        params: { minutes: 5 },
        severity: 'high',
      },
      system,
    )
    await at(0, 20, start)
    clock.advance(5 * MINUTE)
    await evaluateAlerts(t.ctx)
    expect((await listAlerts(t.ctx)).items).toEqual([])
    clock.advance(MINUTE)
    await evaluateAlerts(t.ctx)
    const alert = await alertFor(t.ctx, 'Sampler silent')
    expect(alert).toMatchObject({ state: 'firing', summary: 'no data for 6 minutes' })
    await at(7, 20, start)
    expect((await alertFor(t.ctx, 'Sampler silent')).state).toBe('resolved')
  })

  it('fires a 2σ deviation of the last complete hour against the same hour over 8 weeks', async () => {
    const hour = 3600_000
    const lastHour = Math.floor(clock.ms() / hour) * hour - hour
    const history = [100, 110, 90, 105, 95, 100, 102, 98]
    const rows = history.map((value, i) => ({
      name: 'event_loop_lag_ms',
      instanceId: t.ctx.instanceId,
      at: new Date(lastHour - (i + 1) * 7 * 24 * hour + 30 * MINUTE),
      value,
    }))
    rows.push({
      name: 'event_loop_lag_ms',
      instanceId: t.ctx.instanceId,
      at: new Date(lastHour + 30 * MINUTE),
      value: 140,
    })
    await writeSamples(t.ctx, rows)
    await createRule(
      t.ctx,
      {
        name: 'Traffic deviation',
        metric: 'event_loop_lag_ms',
        kind: 'deviation',
        params: { sigma: 2, weeks: 8, bucketSeconds: 3600 },
        severity: 'medium',
      },
      system,
    )
    await evaluateAlerts(t.ctx)
    const alert = await alertFor(t.ctx, 'Traffic deviation')
    expect(alert.state).toBe('firing')
    expect(alert.summary).toBe('140 against a mean of 100 (sd 6.07, z 6.59)')
  })
})

describe('escalation', () => {
  it('follows the runbook matrix for every severity at 0, 15, 30 and 60 minutes', async () => {
    await escalationPeople(t.ctx)
    const start = clock.ms()
    for (const severity of ['critical', 'high', 'medium', 'low'] as const)
      await rule(t.ctx, severity, severity)
    const sent: Record<string, Array<{ minute: number; to: string | null }>> = {}
    let seen = 0
    for (const minute of [0, 14, 15, 29, 30, 59, 60, 90]) {
      await at(minute, 95, start)
      const rows = await t.ctx.db.selectFrom('notification_outbox').selectAll().orderBy('id').execute()
      for (const row of rows.slice(seen)) {
        const alert = await t.ctx.db
          .selectFrom('alerts')
          .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
          .select('alert_rules.name')
          .where('alerts.id', '=', row.source!.slice(6))
          .executeTakeFirstOrThrow()
        sent[alert.name] = [...(sent[alert.name] ?? []), { minute, to: row.channel ?? row.destination }]
      }
      seen = rows.length
    }
    expect(sent).toEqual({
      critical: [
        { minute: 0, to: 'olive@example.com' },
        { minute: 0, to: 'slack' },
        { minute: 15, to: 'lena@example.com' },
        { minute: 30, to: 'chris@example.com' },
        { minute: 60, to: 'cora@example.com' },
      ],
      high: [
        { minute: 0, to: 'slack' },
        { minute: 0, to: 'email' },
        { minute: 15, to: 'olive@example.com' },
        { minute: 30, to: 'lena@example.com' },
      ],
      medium: [
        { minute: 0, to: 'slack' },
        { minute: 15, to: 'email' },
      ],
      low: [{ minute: 0, to: 'email' }],
    })
  })

  it('stops at acknowledgement, and still tells everyone when it resolves', async () => {
    await escalationPeople(t.ctx)
    const start = clock.ms()
    await rule(t.ctx, 'Disk', 'critical')
    await at(0, 95, start)
    await at(15, 95, start)
    const alert = await alertFor(t.ctx, 'Disk')
    const admin = await as(t.ctx, 'operator')
    const acked = await t.app.inject({
      method: 'POST',
      url: `/api/alerts/${alert.id}/ack`,
      headers: admin,
      payload: { note: 'cleaning up old backups' },
    })
    expect(acked.statusCode).toBe(200)
    expect(acked.json()).toMatchObject({
      acknowledgedBy: expect.stringMatching(/^apikey:/),
      ackNote: 'cleaning up old backups',
    })
    await at(30, 95, start)
    await at(60, 95, start)
    expect((await outbox(t.ctx, alert.id)).map((m) => m.to)).toEqual([
      'olive@example.com',
      'slack',
      'lena@example.com',
    ])
    await at(61, 10, start)
    expect((await outbox(t.ctx, alert.id)).slice(3)).toEqual([
      { to: 'olive@example.com', title: '[RESOLVED] Disk' },
      { to: 'slack', title: '[RESOLVED] Disk' },
      { to: 'lena@example.com', title: '[RESOLVED] Disk' },
    ])
    const detail = await t.app.inject({ method: 'GET', url: `/api/alerts/${alert.id}`, headers: admin })
    expect(detail.json().timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'pending',
      'firing',
      'notified',
      'notified',
      'acknowledged',
      'resolved',
      'resolved_notified',
    ])
  })

  it('refuses to acknowledge twice or an alert that is not firing', async () => {
    const start = clock.ms()
    await rule(t.ctx, 'Slow', 'low', 600)
    await at(0, 95, start)
    const alert = await alertFor(t.ctx, 'Slow')
    await expect(acknowledgeAlert(t.ctx, alert.id, undefined, system)).rejects.toMatchObject({
      statusCode: 409,
    })
    const viewer = await as(t.ctx, 'viewer')
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/alerts/${alert.id}/ack`,
      headers: viewer,
      payload: {},
    })
    expect(refused.statusCode).toBe(403)
  })

  it('names what it could not reach instead of dropping it', async () => {
    const start = clock.ms()
    await rule(t.ctx, 'Nobody', 'critical')
    await at(0, 95, start)
    const alert = await alertFor(t.ctx, 'Nobody')
    const admin = await as(t.ctx, 'viewer')
    const detail = (
      await t.app.inject({ method: 'GET', url: `/api/alerts/${alert.id}`, headers: admin })
    ).json()
    const notified = detail.timeline.find((e: { kind: string }) => e.kind === 'notified')
    expect(notified.detail.unreached).toEqual([{ label: 'on-call primary', reason: 'no schedule' }])
    expect(await outbox(t.ctx, alert.id)).toEqual([{ to: 'slack', title: '[CRITICAL] Nobody' }])
  })
})

describe('silences', () => {
  it('hold steps, never state; the end of a silence is announced and steps go on from there', async () => {
    await escalationPeople(t.ctx)
    const start = clock.ms()
    await rule(t.ctx, 'Errors', 'critical')
    await at(0, 95, start)
    const alert = await alertFor(t.ctx, 'Errors')
    await at(5, 95, start)
    await createSilence(t.ctx, { alertId: alert.id, reason: 'vendor is on it', minutes: 20 }, system)
    await at(15, 95, start)
    expect((await alertFor(t.ctx, 'Errors')).state).toBe('firing')
    expect((await alertFor(t.ctx, 'Errors')).silencedBy).not.toBeNull()
    expect(await outbox(t.ctx, alert.id)).toHaveLength(2)
    await at(25, 95, start)
    expect((await outbox(t.ctx, alert.id)).slice(2)).toEqual([
      { to: 'olive@example.com', title: '[SILENCE ENDED] Errors is still firing' },
      { to: 'slack', title: '[SILENCE ENDED] Errors is still firing' },
    ])
    await at(39, 95, start)
    expect(await outbox(t.ctx, alert.id)).toHaveLength(4)
    await at(40, 95, start)
    expect((await outbox(t.ctx, alert.id)).slice(4).map((m) => m.to)).toEqual(['lena@example.com'])
  })

  it('still send "resolved" for an alert silenced meanwhile, and end "until resolved" silences with it', async () => {
    const start = clock.ms()
    await rule(t.ctx, 'Latency', 'medium')
    await at(0, 95, start)
    const alert = await alertFor(t.ctx, 'Latency')
    const operator = await as(t.ctx, 'operator')
    const silenced = await t.app.inject({
      method: 'POST',
      url: `/api/alerts/${alert.id}/silence`,
      headers: operator,
      payload: { reason: 'deploying', untilResolved: true },
    })
    expect(silenced.statusCode).toBe(201)
    await at(20, 95, start)
    expect((await outbox(t.ctx, alert.id)).map((m) => m.to)).toEqual(['slack'])
    await at(21, 10, start)
    expect((await outbox(t.ctx, alert.id)).map((m) => m.title)).toEqual([
      '[MEDIUM] Latency',
      '[RESOLVED] Latency',
    ])
    const active = await t.app.inject({ method: 'GET', url: '/api/silences', headers: operator })
    expect(active.json().items).toEqual([])
  })

  it('rejects a silence with both or neither of minutes and untilResolved', async () => {
    const start = clock.ms()
    await rule(t.ctx, 'Bad silence', 'low')
    await at(0, 95, start)
    const alert = await alertFor(t.ctx, 'Bad silence')
    const operator = await as(t.ctx, 'operator')
    for (const payload of [{ reason: 'x' }, { reason: 'x', minutes: 5, untilResolved: true }]) {
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/alerts/${alert.id}/silence`,
        headers: operator,
        payload,
      })
      expect(response.statusCode).toBe(400)
      expect(response.json().error.code).toBeDefined()
    }
  })
})

describe('maintenance windows', () => {
  it('record alerts inside a window across a DST change, send one summary at its end and no flood after', async () => {
    await escalationPeople(t.ctx)
    // Sunday 8 March 2026, New York: clocks go from 02:00 EST to 03:00 EDT. The window is
    // 01:00–04:00 local on that day: 06:00Z to 08:00Z.
    clock.advance(new Date('2026-03-08T05:50:00Z').getTime() - clock.ms())
    await createMaintenanceWindow(
      t.ctx,
      {
        title: 'Database upgrade',
        timezone: 'America/New_York',
        start: new Date('2026-03-08T06:00:00Z'),
        end: new Date('2026-03-08T08:00:00Z'),
      },
      system,
    )
    const start = new Date('2026-03-08T06:00:00Z').getTime()
    await rule(t.ctx, 'Critical inside', 'critical')
    await createRule(
      t.ctx,
      {
        name: 'Brief inside',
        metric: 'memory_percent',
        kind: 'threshold',
        params: { op: '>=', alert: 90, windowSeconds: 60 },
        severity: 'high',
      },
      system,
    )
    await at(10, 95, start)
    await metric(t.ctx, 'memory_percent', 97)
    await evaluateAlerts(t.ctx)
    // 02:30 local does not exist that day; the window goes on in EDT.
    await at(60, 95, start)
    await metric(t.ctx, 'memory_percent', 20)
    await evaluateAlerts(t.ctx)
    await at(119, 95, start)
    expect(await outbox(t.ctx)).toEqual([])
    const critical = await alertFor(t.ctx, 'Critical inside')
    expect(critical).toMatchObject({ state: 'firing', inMaintenance: true })
    expect((await alertFor(t.ctx, 'Brief inside')).state).toBe('resolved')

    await at(121, 95, start)
    await at(122, 95, start)
    const messages = await t.ctx.db
      .selectFrom('notification_outbox')
      .select(['channel', 'title', 'content'])
      .execute()
    expect(messages.map((m) => [m.channel, m.title])).toEqual([
      ['slack', 'Maintenance Database upgrade ended: 2 alert(s) during the window'],
      ['email', 'Maintenance Database upgrade ended: 2 alert(s) during the window'],
    ])
    expect(JSON.stringify(messages[0]!.content)).toContain('Critical inside: STILL FIRING')
    expect(JSON.stringify(messages[0]!.content)).toContain('Brief inside: resolved')
    // Still firing: the next step (engineering lead) 15 minutes after the window, not before.
    await at(134, 95, start)
    expect(await outbox(t.ctx, critical.id)).toEqual([])
    await at(135, 95, start)
    expect((await outbox(t.ctx, critical.id)).map((m) => m.to)).toEqual(['lena@example.com'])
  })
})

describe('rules API', () => {
  it('lets admins add, change and delete rules with validation; built-ins can only be disabled', async () => {
    const admin = await as(t.ctx, 'admin')
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/alert-rules',
      headers: admin,
      payload: {
        name: 'x',
        metric: 'cpu_percent',
        kind: 'threshold',
        params: { minutes: 5 },
        severity: 'low',
      },
    })
    expect(bad.statusCode).toBe(400)
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/alert-rules',
      headers: admin,
      payload: { name: 'x', metric: 'nope', kind: 'absence', params: { minutes: 5 }, severity: 'low' },
    })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().error.message).toContain('Unknown metric')
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/alert-rules',
      headers: admin,
      payload: {
        name: 'Sampler silent',
        metric: 'cpu_percent',
        kind: 'absence',
        params: { minutes: 5 },
        severity: 'high',
      },
    })
    expect(created.statusCode).toBe(201)
    const id = created.json().id
    const viewer = await as(t.ctx, 'viewer')
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/alert-rules/${id}`, headers: viewer })).statusCode,
    ).toBe(403)
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/alert-rules/${id}`, headers: admin })).statusCode,
    ).toBe(200)

    const rules = (await t.app.inject({ method: 'GET', url: '/api/alert-rules', headers: viewer })).json()
      .items
    const builtins = rules.map((r: { builtin: string }) => r.builtin)
    // Every default rule, in order: the runbook's first, then those later modules add.
    expect(builtins).toEqual(DEFAULT_RULES.map((r) => r.builtin))
    expect(builtins.slice(0, 11)).toEqual([
      'cpu',
      'memory',
      'disk',
      'response-time',
      'error-rate',
      'uptime',
      'active-users-drop',
      'conversion-rate',
      'revenue-deviation',
      'critical-inventory',
      'api-success-rate',
    ])
    const cpu = rules[0]
    expect(cpu.params).toMatchObject({ warn: 80, alert: 90 })
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/alert-rules/${cpu.id}`, headers: admin }))
        .statusCode,
    ).toBe(409)
    const tuned = await t.app.inject({
      method: 'PATCH',
      url: `/api/alert-rules/${cpu.id}`,
      headers: admin,
      payload: { params: { op: '>=', warn: 95, alert: 90, windowSeconds: 60 } },
    })
    expect(tuned.statusCode).toBe(400)
    const audit = await sql<{
      n: string
    }>`select count(*)::text as n from audit_logs where action like 'alert_rule_%'`.execute(t.ctx.db)
    expect(Number(audit.rows[0]!.n)).toBe(2)
  })

  it('checks escalation policy targets and order', async () => {
    const admin = await as(t.ctx, 'admin')
    const put = (steps: unknown) =>
      t.app.inject({ method: 'PUT', url: '/api/escalation-policies/low', headers: admin, payload: { steps } })
    expect((await put([{ afterMinutes: 0, notify: ['pager'] }])).statusCode).toBe(400)
    expect(
      (
        await put([
          { afterMinutes: 10, notify: ['email'] },
          { afterMinutes: 5, notify: ['slack'] },
        ])
      ).statusCode,
    ).toBe(400)
    const ok = await put([{ afterMinutes: 0, notify: ['email', 'role:cto'] }])
    expect(ok.statusCode).toBe(200)
    const list = (
      await t.app.inject({ method: 'GET', url: '/api/escalation-policies', headers: admin })
    ).json().items
    expect(list.find((p: { severity: string }) => p.severity === 'low').steps).toEqual([
      { afterMinutes: 0, notify: ['email', 'role:cto'] },
    ])
  })
})
