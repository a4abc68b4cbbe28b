import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import type { UserRole } from '../../platform/http/access.ts'
import type { Actor } from '../../platform/http/principal.ts'
import { evaluateAlerts } from '../alerting/evaluate.ts'
import { listAlerts } from '../alerting/service.ts'
import { sampleCluster } from '../monitoring/sampler.ts'
import { SECURITY_CHECKLIST } from './defaults.ts'
import { securityStepsOverdue } from './overdue.ts'
import { createIncident, getIncident, updateIncident } from './service.ts'

/** The data-breach checklist of security incidents: deadlines from detection, marking steps, overdue alerts. */

const system: Actor = { type: 'system', id: null }
const MINUTE = 60_000
const HOUR = 60 * MINUTE

describe('security incident checklist', () => {
  const clock = new TestClock('2026-03-02T10:00:00Z')
  // Detected two hours ago: the 1-hour steps are already late.
  const detectedAt = new Date(clock.ms() - 2 * HOUR)
  let t: TestApp
  let id: string

  beforeAll(async () => {
    t = await buildTestApp({ clock, env: { NOTIFY_POLL_MS: '0' } })
    await t.ctx.db
      .updateTable('alert_rules')
      .set({ enabled: false })
      .where('builtin', '<>', 'security-steps-overdue')
      .execute()
    const incident = await createIncident(
      t.ctx,
      {
        title: 'Customer export found on a public bucket',
        severity: 'P0',
        kind: 'security',
        detectedAt: detectedAt.toISOString(),
      },
      { actor: system, source: 'manual' },
    )
    id = incident.id
  })
  afterAll(async () => {
    await t.close()
  })

  const mark = async (key: string, payload: object, role: UserRole = 'operator', incident = id) =>
    t.app.inject({
      method: 'POST',
      url: `/api/incidents/${incident}/checklist/${key}`,
      headers: await as(t.ctx, role),
      payload,
    })

  it('gets the runbook checklist due 1 h, 24 h and 72 h after detection', async () => {
    const { checklist } = await getIncident(t.ctx, id)
    expect(checklist.map((s) => s.key)).toEqual(SECURITY_CHECKLIST.map((s) => s.key))
    const due = (hours: number) => new Date(detectedAt.getTime() + hours * HOUR).toISOString()
    expect(checklist.map((s) => [s.phase, s.dueAt])).toEqual([
      ...Array(4).fill(['1h', due(1)]),
      ...Array(4).fill(['24h', due(24)]),
      ...Array(4).fill(['72h', due(72)]),
    ])
    expect(checklist.filter((s) => s.overdue).map((s) => s.key)).toEqual([
      'contain',
      'assess-scope',
      'document',
      'notify-legal-leadership',
    ])
    expect(await securityStepsOverdue(t.ctx)).toBe(4)
  })

  it('raises the built-in alert while steps are overdue', async () => {
    await sampleCluster(t.ctx)
    await evaluateAlerts(t.ctx)
    const alert = (await listAlerts(t.ctx)).items.find(
      (a) => a.ruleName === 'Security incident steps overdue',
    )
    expect(alert).toMatchObject({ state: 'firing', severity: 'high' })
  })

  it('marks a step done with a note and undone again, each on the timeline', async () => {
    const done = await mark('contain', { done: true, note: 'Bucket made private, access keys rotated' })
    expect(done.statusCode).toBe(200)
    expect(done.json()).toMatchObject({
      key: 'contain',
      title: 'Contain the breach',
      doneAt: clock.now().toISOString(),
      note: 'Bucket made private, access keys rotated',
      overdue: false,
    })
    expect(done.json().doneBy).toMatch(/^apikey:/)
    expect(await securityStepsOverdue(t.ctx)).toBe(3)

    const undone = await mark('contain', { done: false })
    expect(undone.json()).toMatchObject({ doneAt: null, doneBy: null, overdue: true })
    expect(undone.json().note).toBe('Bucket made private, access keys rotated')
    expect(await securityStepsOverdue(t.ctx)).toBe(4)

    // The same state again changes nothing and records nothing.
    await mark('contain', { done: false })
    const events = await t.ctx.db
      .selectFrom('incident_events')
      .select(['kind', 'detail'])
      .where('incident_id', '=', id)
      .where('kind', '=', 'checklist')
      .orderBy('id')
      .execute()
    expect(events.map((e) => e.detail)).toEqual([
      {
        key: 'contain',
        title: 'Contain the breach',
        phase: '1h',
        done: true,
        note: 'Bucket made private, access keys rotated',
        late: true,
      },
      {
        key: 'contain',
        title: 'Contain the breach',
        phase: '1h',
        done: false,
        note: 'Bucket made private, access keys rotated',
        late: false,
      },
    ])
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .select('new_values')
      .where('action', '=', 'incident_update')
      .where('target_id', '=', id)
      .execute()
    expect(audit.map((a) => a.new_values)).toEqual([
      { checklist: 'contain', done: true, note: 'Bucket made private, access keys rotated' },
      { checklist: 'contain', done: false },
    ])
  })

  it('resolves the alert once every late step is done; a resolved incident still counts later deadlines', async () => {
    for (const key of ['contain', 'assess-scope', 'document', 'notify-legal-leadership'])
      expect((await mark(key, { done: true })).statusCode).toBe(200)
    expect(await securityStepsOverdue(t.ctx)).toBe(0)
    clock.advance(MINUTE)
    await sampleCluster(t.ctx)
    await evaluateAlerts(t.ctx)
    const alert = (await listAlerts(t.ctx)).items.find(
      (a) => a.ruleName === 'Security incident steps overdue',
    )
    expect(alert?.state).toBe('resolved')

    await updateIncident(t.ctx, id, { status: 'resolved' }, { actor: system })
    // Past the 24-hour deadline: the notification duties outlast the technical fix.
    clock.advance(23 * HOUR)
    expect(await securityStepsOverdue(t.ctx)).toBe(4)
  })

  it('refuses unknown steps, standard incidents, viewers and bad bodies', async () => {
    expect((await mark('not-a-step', { done: true })).statusCode).toBe(404)
    expect((await mark('contain', { done: true }, 'operator', '999999')).statusCode).toBe(404)
    const standard = await createIncident(
      t.ctx,
      { title: 'Slow page', severity: 'P3' },
      { actor: system, source: 'manual' },
    )
    const wrongKind = await mark('contain', { done: true }, 'operator', standard.id)
    expect(wrongKind.statusCode).toBe(409)
    expect(wrongKind.json().error.code).toBe('CONFLICT')
    expect((await mark('contain', { done: true }, 'viewer')).statusCode).toBe(403)
    const bad = await mark('contain', { done: 'yes' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error).toHaveProperty('code')
  })
})
