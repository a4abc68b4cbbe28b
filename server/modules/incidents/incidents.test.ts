import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { escalationPeople } from '../../../test/oncall.ts'
import type { AppContext } from '../../context.ts'
import type { IncidentSeverity } from '../../platform/db/schema.ts'
import type { Actor } from '../../platform/http/principal.ts'
import { evaluateAlerts } from '../alerting/evaluate.ts'
import { createRule } from '../alerting/rules.ts'
import { createUser } from '../auth/users.ts'
import { sampleCluster } from '../monitoring/sampler.ts'
import { writeSamples } from '../monitoring/store.ts'
import { createIncident, getIncident, updateIncident } from './service.ts'
import { type Signals, suggestSeverity } from './severity.ts'

const system: Actor = { type: 'system', id: null }
const MINUTE = 60_000

const env = {
  SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/slack-hook',
  SMTP_URL: 'smtp://127.0.0.1:9',
  NOTIFY_EMAIL_TO: 'ops@example.com',
  // Messages stay in the outbox for the assertions; delivery has its own tests.
  NOTIFY_POLL_MS: '0',
}

let t: TestApp
let clock: TestClock

async function start(extraEnv: Record<string, string> = {}) {
  clock = new TestClock('2026-03-02T10:00:00Z')
  t = await buildTestApp({ clock, env: { ...env, ...extraEnv } })
  // Built-in rules read the live process's metrics; each test enables what it needs.
  await t.ctx.db.updateTable('alert_rules').set({ enabled: false }).execute()
}

afterEach(async () => {
  await t.close()
})

async function outbox(ctx: AppContext, incidentId: string) {
  const rows = await ctx.db
    .selectFrom('notification_outbox')
    .select(['channel', 'destination', 'title'])
    .where('source', '=', `incident:${incidentId}`)
    .orderBy('id')
    .execute()
  return rows.map((m) => ({ to: m.channel ?? m.destination, title: m.title }))
}

async function timelineKinds(ctx: AppContext, id: string) {
  return (await getIncident(ctx, id)).timeline.map((e) => e.kind)
}

/** An incident opened by hand (by the system actor). */
const openManual = (title: string, severity: IncidentSeverity) =>
  createIncident(t.ctx, { title, severity }, { actor: system, source: 'manual' })

/** Moves the clock to `minutes` after `from` and runs an evaluation (which escalates incidents). */
async function evaluateAt(minutes: number, from: number) {
  clock.advance(from + minutes * MINUTE - clock.ms())
  return evaluateAlerts(t.ctx)
}

describe('opening incidents', () => {
  beforeEach(() => start())

  it("accepts the runbook's request as written, with an API key", async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/incidents',
      headers: { ...(await as(t.ctx, 'manager')), 'content-type': 'application/json' },
      payload: JSON.stringify({
        title: 'Production Issue: checkout failing',
        severity: 'P0',
        status: 'investigating',
      }),
    })
    expect(response.statusCode).toBe(201)
    const incident = response.json()
    expect(incident).toMatchObject({
      title: 'Production Issue: checkout failing',
      severity: 'P0',
      status: 'investigating',
      kind: 'standard',
      source: 'api',
      channels: ['slack'],
      sla: { responseMinutes: 15, dueAt: '2026-03-02T10:15:00.000Z', state: 'pending' },
      postmortem: { required: true, status: 'missing' },
      durationMinutes: 0,
    })
    const list = await t.app.inject({ url: '/api/incidents', headers: await as(t.ctx, 'viewer') })
    expect(list.json().items.map((i: { id: string }) => i.id)).toEqual([incident.id])
  })

  it('refuses bad input with a clear 4xx and writes nothing', async () => {
    const headers = await as(t.ctx, 'manager')
    const post = (payload: unknown) =>
      t.app.inject({ method: 'POST', url: '/api/incidents', headers, payload: payload as object })
    const cases: [unknown, number, string][] = [
      [{ title: 'x', severity: 'P5', status: 'investigating' }, 400, 'VALIDATION_FAILED'],
      [{ severity: 'P1' }, 400, 'VALIDATION_FAILED'],
      [{ title: '   ', severity: 'P1' }, 400, 'VALIDATION_FAILED'],
      [{ title: 'x', severity: 'P1', status: 'closed' }, 400, 'VALIDATION_FAILED'],
      [{ title: 'x', severity: 'P1', lead: 'nobody@example.com' }, 400, 'BAD_REQUEST'],
      [{ title: 'x', severity: 'P1', detectedAt: '2026-03-03T00:00:00Z' }, 400, 'BAD_REQUEST'],
      [{ title: 'x', severity: 'P1', extra: true }, 400, 'VALIDATION_FAILED'],
    ]
    for (const [payload, status, code] of cases) {
      const response = await post(payload)
      expect(response.statusCode, JSON.stringify(payload)).toBe(status)
      expect(response.json().error.code).toBe(code)
    }
    const viewer = await t.app.inject({
      method: 'POST',
      url: '/api/incidents',
      headers: await as(t.ctx, 'viewer'),
      payload: { title: 'x', severity: 'P1' },
    })
    expect(viewer.statusCode).toBe(403)
    const count = await t.ctx.db
      .selectFrom('incidents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(0)
  })

  it('gives P1, P2 and P3 a response time of 1 h, 4 h and 24 h from opening', async () => {
    const severities = await t.app.inject({
      url: '/api/incidents/severities',
      headers: await as(t.ctx, 'viewer'),
    })
    expect(severities.statusCode).toBe(200)
    expect(
      severities
        .json()
        .map((s: { severity: string; responseMinutes: number }) => [s.severity, s.responseMinutes]),
    ).toEqual([
      ['P0', 15],
      ['P1', 60],
      ['P2', 240],
      ['P3', 1440],
    ])
    const headers = await as(t.ctx, 'manager')
    const ids: Record<string, string> = {}
    for (const [severity, responseMinutes, dueAt] of [
      ['P1', 60, '2026-03-02T11:00:00.000Z'],
      ['P2', 240, '2026-03-02T14:00:00.000Z'],
      ['P3', 1440, '2026-03-03T10:00:00.000Z'],
    ] as const) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/incidents',
        headers,
        payload: { title: `A ${severity}`, severity },
      })
      expect(created.statusCode).toBe(201)
      expect(created.json().sla).toEqual({ responseMinutes, dueAt, state: 'pending' })
      ids[severity] = created.json().id
    }
    // Past the hour only the P1 is late.
    clock.advance(61 * MINUTE)
    expect((await getIncident(t.ctx, ids.P1!)).sla.state).toBe('breached')
    expect((await getIncident(t.ctx, ids.P2!)).sla.state).toBe('pending')
  })

  it('keeps the participants given on opening and on update, and shows them on the incident', async () => {
    const headers = await as(t.ctx, 'manager')
    const viewer = await as(t.ctx, 'viewer')
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/incidents',
      headers,
      payload: { title: 'Search down', severity: 'P2', participants: ['Ana', 'Ben'] },
    })
    expect(created.statusCode).toBe(201)
    expect(created.json().participants).toEqual(['Ana', 'Ben'])
    const id = created.json().id
    const read = await t.app.inject({ url: `/api/incidents/${id}`, headers: viewer })
    expect(read.json().participants).toEqual(['Ana', 'Ben'])
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/incidents/${id}`,
      headers,
      payload: { participants: ['Ana', ' Cy ', 'Cy'] },
    })
    expect(patched.statusCode).toBe(200)
    expect(patched.json().participants).toEqual(['Ana', 'Cy'])
    const after = (await t.app.inject({ url: `/api/incidents/${id}`, headers: viewer })).json()
    expect(after.participants).toEqual(['Ana', 'Cy'])
    expect(
      after.timeline
        .filter((e: { kind: string }) => e.kind === 'updated')
        .map((e: { detail: unknown }) => e.detail),
    ).toEqual([{ participants: { from: ['Ana', 'Ben'], to: ['Ana', 'Cy'] } }])
    const list = await t.app.inject({ url: '/api/incidents', headers: viewer })
    expect(list.json().items[0].participants).toEqual(['Ana', 'Cy'])
  })

  it("adds an operator's note to the timeline and refuses an empty one", async () => {
    const incident = await openManual('Slow checkout', 'P2')
    const headers = await as(t.ctx, 'operator')
    const note = (text: string, id = incident.id) =>
      t.app.inject({ method: 'POST', url: `/api/incidents/${id}/notes`, headers, payload: { text } })
    clock.advance(3 * MINUTE)
    const added = await note('Rolled back the 09:55 deploy')
    expect(added.statusCode).toBe(200)
    expect(added.json().timeline.at(-1)).toMatchObject({
      kind: 'note',
      at: '2026-03-02T10:03:00.000Z',
      actor: expect.stringMatching(/^apikey:/),
      detail: { text: 'Rolled back the 09:55 deploy' },
    })
    for (const text of ['', '   ']) {
      const refused = await note(text)
      expect(refused.statusCode, JSON.stringify(text)).toBe(400)
      expect(refused.json()).toMatchObject({
        error: { code: 'VALIDATION_FAILED', message: expect.any(String) },
      })
    }
    const unknown = await note('Anyone there?', '999999')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().error.code).toBe('NOT_FOUND')
    const viewer = await t.app.inject({
      method: 'POST',
      url: `/api/incidents/${incident.id}/notes`,
      headers: await as(t.ctx, 'viewer'),
      payload: { text: 'Hello' },
    })
    expect(viewer.statusCode).toBe(403)
    expect((await timelineKinds(t.ctx, incident.id)).filter((k) => k === 'note')).toHaveLength(1)
  })

  it('moves through the statuses, records each change, computes the duration and opens the post-mortem of a P0/P1', async () => {
    const lead = await createUser(
      t.ctx,
      { email: 'lee@example.com', name: 'Lee', role: 'manager', password: 'a-long-password-123' },
      system,
    )
    const headers = await as(t.ctx, 'manager')
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/incidents',
      headers,
      payload: {
        title: 'Orders not syncing',
        severity: 'P1',
        lead: 'LEE@example.com',
        components: ['shopify', 'orders'],
        detectedAt: '2026-03-02T09:50:00Z',
      },
    })
    expect(created.statusCode).toBe(201)
    const id = created.json().id
    expect(created.json().lead).toEqual({ id: lead.id, name: 'Lee', email: 'lee@example.com' })
    for (const [minutes, status] of [
      [5, 'identified'],
      [20, 'mitigating'],
      [30, 'monitoring'],
      [45, 'resolved'],
    ] as const) {
      clock.advance(Date.parse('2026-03-02T10:00:00Z') + minutes * MINUTE - clock.ms())
      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/api/incidents/${id}`,
        headers,
        payload: { status },
      })
      expect(patched.statusCode).toBe(200)
    }
    const incident = await getIncident(t.ctx, id)
    expect(incident.status).toBe('resolved')
    expect(incident.resolvedAt).toBe('2026-03-02T10:45:00.000Z')
    // From detection (09:50) to resolution (10:45).
    expect(incident.durationMinutes).toBe(55)
    expect(incident.timeline.filter((e) => e.kind === 'status').map((e) => e.detail.to)).toEqual([
      'identified',
      'mitigating',
      'monitoring',
      'resolved',
    ])
    expect(incident.postmortem).toEqual({ required: true, status: 'draft' })
    const postmortem = await t.ctx.db
      .selectFrom('postmortems')
      .selectAll()
      .where('incident_id', '=', id)
      .executeTakeFirstOrThrow()
    expect(postmortem.timeline).toContain('Status monitoring → resolved')
    // A P2 needs none.
    const minor = await openManual('Slow reports', 'P2')
    await updateIncident(t.ctx, minor.id, { status: 'resolved' }, { actor: system })
    expect((await getIncident(t.ctx, minor.id)).postmortem).toEqual({ required: false, status: 'missing' })
  })
})

describe('escalation and the response SLA', () => {
  beforeEach(async () => {
    await start()
    await escalationPeople(t.ctx)
  })

  it('escalates an unacknowledged P0 to the engineering lead at 15 min, VP at 30, CTO at 1 h, CEO at 2 h', async () => {
    const from = clock.ms()
    const incident = await openManual('Site down', 'P0')
    await evaluateAt(0, from)
    expect(await outbox(t.ctx, incident.id)).toEqual([
      { to: 'olive@example.com', title: `[P0] Incident #${incident.id}: Site down` },
      { to: 'slack', title: `[P0] Incident #${incident.id}: Site down` },
    ])
    await evaluateAt(14, from)
    expect(await outbox(t.ctx, incident.id)).toHaveLength(2)
    const expected = [
      [15, 'lena@example.com'],
      [30, 'victor@example.com'],
      [60, 'chris@example.com'],
      [120, 'cora@example.com'],
    ] as const
    for (const [minutes, who] of expected) {
      await evaluateAt(minutes, from)
      const sent = await outbox(t.ctx, incident.id)
      expect(sent.at(-1)).toEqual({
        to: who,
        title: `[P0] Incident #${incident.id} not acknowledged after ${minutes} min: Site down`,
      })
    }
    expect(await outbox(t.ctx, incident.id)).toHaveLength(6)
    // Nothing is sent twice.
    await evaluateAt(200, from)
    expect(await outbox(t.ctx, incident.id)).toHaveLength(6)
    const kinds = await timelineKinds(t.ctx, incident.id)
    expect(kinds.filter((k) => k === 'escalated')).toHaveLength(5)
    expect(kinds).toContain('sla_breached')
  })

  it('a P1 never reaches the CEO, and acknowledgement stops escalation with the SLA met', async () => {
    const from = clock.ms()
    const p1 = await openManual('Reports broken', 'P1')
    for (const minutes of [0, 15, 30, 60, 120, 240]) await evaluateAt(minutes, from)
    const sent = (await outbox(t.ctx, p1.id)).map((m) => m.to)
    expect(sent).toEqual([
      'olive@example.com',
      'slack',
      'lena@example.com',
      'victor@example.com',
      'chris@example.com',
    ])

    const start = clock.ms()
    const p0 = await openManual('Checkout down', 'P0')
    await evaluateAt(0, start)
    clock.advance(10 * MINUTE)
    const ack = await t.app.inject({
      method: 'POST',
      url: `/api/incidents/${p0.id}/ack`,
      headers: await as(t.ctx, 'operator'),
    })
    expect(ack.statusCode).toBe(200)
    expect(ack.json().sla.state).toBe('met')
    for (const minutes of [15, 30, 60, 120]) await evaluateAt(minutes, start)
    expect(await outbox(t.ctx, p0.id)).toHaveLength(2)
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/incidents/${p0.id}/ack`,
      headers: await as(t.ctx, 'operator'),
    })
    expect(again.statusCode).toBe(409)
    // Resolving tells everyone escalation reached.
    await updateIncident(t.ctx, p0.id, { status: 'resolved' }, { actor: system })
    expect((await outbox(t.ctx, p0.id)).slice(2).map((m) => m.title)).toEqual([
      `[RESOLVED] Incident #${p0.id}: Checkout down`,
      `[RESOLVED] Incident #${p0.id}: Checkout down`,
    ])
  })

  it('escalates by a policy an admin changed through the API, and refuses a bad policy', async () => {
    const admin = await as(t.ctx, 'admin')
    const viewer = await as(t.ctx, 'viewer')
    const put = (severity: string, payload: unknown, headers = admin) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/incidents/policies/${severity}`,
        headers,
        payload: payload as object,
      })
    const policies = async () =>
      (await t.app.inject({ url: '/api/incidents/policies', headers: viewer })).json() as {
        severity: string
        steps: unknown[]
        updatedAt: string
      }[]
    const steps = [
      { afterMinutes: 0, notify: ['slack'] },
      { afterMinutes: 20, notify: ['role:cto'] },
    ]
    const saved = await put('P2', { steps })
    expect(saved.statusCode).toBe(200)
    const custom = { severity: 'P2', steps, updatedAt: '2026-03-02T10:00:00.000Z' }
    expect(saved.json()).toEqual(custom)
    expect((await policies()).find((p) => p.severity === 'P2')).toEqual(custom)

    const cases: [string, unknown, string][] = [
      ['P2', { steps: [{ afterMinutes: 5, notify: ['role:janitor'] }] }, 'BAD_REQUEST'],
      ['P2', { steps: [{ afterMinutes: 5, notify: ['pager'] }] }, 'BAD_REQUEST'],
      ['P2', { steps: [{ afterMinutes: -5, notify: ['slack'] }] }, 'VALIDATION_FAILED'],
      [
        'P2',
        {
          steps: [
            { afterMinutes: 30, notify: ['slack'] },
            { afterMinutes: 10, notify: ['role:cto'] },
          ],
        },
        'BAD_REQUEST',
      ],
      ['P2', { steps: [] }, 'VALIDATION_FAILED'],
      ['P5', { steps }, 'VALIDATION_FAILED'],
    ]
    for (const [severity, payload, code] of cases) {
      const response = await put(severity, payload)
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      expect(response.json()).toMatchObject({ error: { code, message: expect.any(String) } })
    }
    const manager = await put('P1', { steps }, await as(t.ctx, 'manager'))
    expect(manager.statusCode).toBe(403)
    expect(manager.json().error.code).toBe('FORBIDDEN')
    const after = await policies()
    expect(after.find((p) => p.severity === 'P2')).toEqual(custom)
    expect(after.find((p) => p.severity === 'P1')?.updatedAt).toBe('default')

    const from = clock.ms()
    const incident = await openManual('Exports stuck', 'P2')
    await evaluateAt(0, from)
    expect(await outbox(t.ctx, incident.id)).toEqual([
      { to: 'slack', title: `[P2] Incident #${incident.id}: Exports stuck` },
    ])
    await evaluateAt(19, from)
    expect(await outbox(t.ctx, incident.id)).toHaveLength(1)
    await evaluateAt(20, from)
    expect((await outbox(t.ctx, incident.id)).at(-1)).toEqual({
      to: 'chris@example.com',
      title: `[P2] Incident #${incident.id} not acknowledged after 20 min: Exports stuck`,
    })
    // The default step (engineering lead at 4 h) is gone.
    await evaluateAt(240, from)
    expect((await outbox(t.ctx, incident.id)).map((m) => m.to)).toEqual(['slack', 'chris@example.com'])
    const escalated = (await getIncident(t.ctx, incident.id)).timeline.filter((e) => e.kind === 'escalated')
    expect(escalated.map((e) => e.detail)).toMatchObject([
      { step: 0, afterMinutes: 0, targets: ['slack'] },
      { step: 1, afterMinutes: 20, targets: ['role:cto'] },
    ])
  })

  it('raises the response-SLA alert when an incident is not acknowledged in time', async () => {
    await t.ctx.db
      .updateTable('alert_rules')
      .set({ enabled: true })
      .where('builtin', '=', 'incident-response-sla')
      .execute()
    const from = clock.ms()
    const incident = await openManual('Payments failing', 'P0')
    clock.advance(14 * MINUTE)
    await sampleCluster(t.ctx)
    await evaluateAlerts(t.ctx)
    const firing = () =>
      t.ctx.db
        .selectFrom('alerts')
        .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
        .select(['alerts.state', 'alerts.value'])
        .where('alert_rules.builtin', '=', 'incident-response-sla')
        .execute()
    expect(await firing()).toEqual([])
    await evaluateAt(16, from)
    await sampleCluster(t.ctx)
    await evaluateAlerts(t.ctx)
    expect(await firing()).toEqual([{ state: 'firing', value: 1 }])
    expect((await getIncident(t.ctx, incident.id)).sla.state).toBe('breached')
    // The SLA alert is related to the open incident: it attaches instead of opening another.
    expect((await getIncident(t.ctx, incident.id)).alerts.map((a) => a.ruleName)).toEqual([
      'Incident response SLA',
    ])
  })
})

describe('incidents from alerts', () => {
  async function criticalRule(name: string, metric: string) {
    return createRule(
      t.ctx,
      {
        name,
        metric,
        kind: 'threshold',
        params: { op: '>=', alert: 90, windowSeconds: 60 },
        severity: 'critical',
        forSeconds: 0,
      },
      system,
    )
  }

  async function breach(metric: string) {
    const now = t.ctx.clock.ms()
    await writeSamples(
      t.ctx,
      Array.from({ length: 6 }, (_, i) => ({
        name: metric,
        instanceId: t.ctx.instanceId,
        at: new Date(now - i * 10_000),
        value: 95,
      })),
    )
  }

  it('a firing critical alert opens a P1; related alerts attach to it', async () => {
    await start()
    await criticalRule('Disk full', 'disk_percent')
    await criticalRule('CPU pegged', 'cpu_percent')
    await breach('disk_percent')
    await evaluateAlerts(t.ctx)
    const { items } = (
      await t.app.inject({ url: '/api/incidents', headers: await as(t.ctx, 'viewer') })
    ).json()
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ severity: 'P1', source: 'alert', alertCount: 1 })
    expect(items[0].title).toMatch(/^Disk full: /)
    clock.advance(5 * MINUTE)
    await breach('disk_percent')
    await breach('cpu_percent')
    await evaluateAlerts(t.ctx)
    const incident = await getIncident(t.ctx, items[0].id)
    expect(incident.alerts.map((a) => a.ruleName)).toEqual(['Disk full', 'CPU pegged'])
    expect(incident.timeline.filter((e) => e.kind === 'alert_attached')).toHaveLength(2)
    expect(await t.ctx.db.selectFrom('incidents').select('id').execute()).toHaveLength(1)
  })

  it('a manager attaches a firing alert by hand, once, and an unknown alert is a 404', async () => {
    await start({ INCIDENT_AUTO_OPEN: 'off' })
    await criticalRule('Disk full', 'disk_percent')
    await breach('disk_percent')
    await evaluateAlerts(t.ctx)
    const alert = await t.ctx.db.selectFrom('alerts').select('id').executeTakeFirstOrThrow()
    const incident = await openManual('Uploads failing', 'P2')
    expect((await getIncident(t.ctx, incident.id)).alerts).toEqual([])
    const headers = await as(t.ctx, 'manager')
    const attach = (alertId: string, auth = headers) =>
      t.app.inject({
        method: 'POST',
        url: `/api/incidents/${incident.id}/alerts`,
        headers: auth,
        payload: { alertId },
      })
    clock.advance(2 * MINUTE)
    const attached = await attach(alert.id)
    expect(attached.statusCode).toBe(200)
    expect(attached.json()).toMatchObject({
      alertCount: 1,
      alerts: [{ id: alert.id, ruleName: 'Disk full', attachedAt: '2026-03-02T10:02:00.000Z' }],
    })
    expect(attached.json().timeline.at(-1)).toMatchObject({
      kind: 'alert_attached',
      actor: expect.stringMatching(/^apikey:/),
      detail: { alert: alert.id, rule: 'Disk full', severity: 'critical' },
    })
    const again = await attach(alert.id)
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('CONFLICT')
    const unknown = await attach('999999')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND', message: expect.any(String) } })
    const operator = await attach(alert.id, await as(t.ctx, 'operator'))
    expect(operator.statusCode).toBe(403)
    expect((await timelineKinds(t.ctx, incident.id)).filter((k) => k === 'alert_attached')).toHaveLength(1)
  })

  it('opens nothing when INCIDENT_AUTO_OPEN is off, and a new incident once the related one is resolved', async () => {
    await start({ INCIDENT_AUTO_OPEN: 'off' })
    await criticalRule('Disk full', 'disk_percent')
    await breach('disk_percent')
    await evaluateAlerts(t.ctx)
    expect(await t.ctx.db.selectFrom('incidents').select('id').execute()).toEqual([])
    await t.close()

    await start({ INCIDENT_AUTO_OPEN: 'P0' })
    const manual = await openManual('Old trouble', 'P2')
    await updateIncident(t.ctx, manual.id, { status: 'resolved' }, { actor: system })
    await criticalRule('Disk full', 'disk_percent')
    await breach('disk_percent')
    await evaluateAlerts(t.ctx)
    const open = await t.ctx.db
      .selectFrom('incidents')
      .select(['severity', 'source'])
      .where('status', '<>', 'resolved')
      .execute()
    expect(open).toEqual([{ severity: 'P0', source: 'alert' }])
  })
})

describe('severity helper', () => {
  const calm: Signals = {
    health: 'ok',
    downComponents: [],
    errorRatePercent: 0.2,
    p95Ms: 120,
    criticalAlertsFiring: 0,
  } as const

  it('follows the runbook classification, with the reason', () => {
    expect(suggestSeverity({ ...calm, health: 'down', downComponents: ['database'] })).toMatchObject({
      severity: 'P0',
      reason: 'Outage: database down',
    })
    expect(suggestSeverity({ ...calm, errorRatePercent: 12.5 }).severity).toBe('P1')
    expect(suggestSeverity({ ...calm, errorRatePercent: 10 }).severity).toBe('P2')
    expect(suggestSeverity({ ...calm, errorRatePercent: 5 }).severity).toBe('P2')
    expect(suggestSeverity({ ...calm, errorRatePercent: 4.9 }).severity).toBe('P3')
    expect(suggestSeverity({ ...calm, p95Ms: 3200 }).severity).toBe('P1')
    expect(suggestSeverity({ ...calm, p95Ms: 2500 }).severity).toBe('P2')
    expect(suggestSeverity({ ...calm, criticalAlertsFiring: 2 }).reason).toBe('2 critical alert(s) firing')
    expect(suggestSeverity({ ...calm, errorRatePercent: null, p95Ms: null }).severity).toBe('P3')
  })

  it('reads the stored error rate through the API', async () => {
    await start()
    const now = t.ctx.clock.ms()
    const rows = Array.from({ length: 6 }, (_, i) => [
      { name: 'http_requests', instanceId: t.ctx.instanceId, at: new Date(now - i * 10_000), value: 100 },
      { name: 'http_errors', instanceId: t.ctx.instanceId, at: new Date(now - i * 10_000), value: 12 },
    ]).flat()
    await writeSamples(t.ctx, rows)
    const response = await t.app.inject({
      url: '/api/incidents/suggested-severity',
      headers: await as(t.ctx, 'viewer'),
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ severity: 'P1', signals: { errorRatePercent: 12 } })
    expect(response.json().reason).toContain('12%')
  })
})
