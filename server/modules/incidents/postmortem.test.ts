import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import type { Actor } from '../../platform/http/principal.ts'
import { evaluateAlerts } from '../alerting/evaluate.ts'
import { listAlerts } from '../alerting/service.ts'
import { sampleCluster } from '../monitoring/sampler.ts'
import { blamelessWarnings } from './blameless.ts'
import { postmortemActionsOverdue } from './overdue.ts'
import { createIncident, getIncident, updateIncident } from './service.ts'

/** Post-mortems: required for P0/P1, prefilled, blameless wording, publishing, export, overdue actions. */

const system: Actor = { type: 'system', id: null }
const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

describe('blamelessWarnings', () => {
  it('flags blaming wording and names followed by blaming verbs, not systems', () => {
    const text =
      'Olive failed to restart the worker. It was human error and careless. The database failed to fail over, ' +
      "which caused the outage. @bob should have checked. It was Bob's fault; someone forgot to renew the cert."
    const phrases = blamelessWarnings(text, ['Olive Smith']).map((w) => w.phrase)
    expect(phrases).toEqual([
      'Olive failed to',
      'human error',
      'careless',
      '@bob should have',
      "Bob's fault",
      'someone forgot to',
    ])
    expect(
      blamelessWarnings('The deploy script caused a restart loop; Redis failed to fail over.', ['Olive']),
    ).toEqual([])
    // A typographic apostrophe too (written \u2019 in the pattern, so the bundle stays ASCII).
    expect(blamelessWarnings('It was Bob’s fault.').map((w) => w.phrase)).toEqual(['Bob’s fault'])
    const [warning] = blamelessWarnings('Human error.')
    expect(warning!.message).toContain('what let the mistake through')
  })
})

describe('post-mortems', () => {
  const clock = new TestClock('2026-03-02T10:00:00Z')
  let t: TestApp
  let p0: string

  beforeAll(async () => {
    t = await buildTestApp({ clock, env: { NOTIFY_POLL_MS: '0' } })
    // Only the rule under test: the others read metrics these tests do not feed.
    await t.ctx.db
      .updateTable('alert_rules')
      .set({ enabled: false })
      .where('builtin', '<>', 'postmortem-actions-overdue')
      .execute()
    const incident = await createIncident(
      t.ctx,
      {
        title: 'Orders not syncing',
        severity: 'P0',
        impact: 'Orders from Shopify stopped arriving',
        participants: ['Olive Smith', 'Bob Jones'],
        detectedAt: new Date(clock.ms() - 20 * MINUTE).toISOString(),
      },
      { actor: system, source: 'manual' },
    )
    p0 = incident.id
  })
  afterAll(async () => {
    await t.close()
  })

  const call = async (
    method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    role: 'viewer' | 'operator' | 'manager' = method === 'GET' ? 'viewer' : 'manager',
  ) =>
    t.app.inject({
      method,
      url,
      headers: await as(t.ctx, role),
      ...(payload === undefined ? {} : { payload }),
    })

  it('opens a draft with the timeline prefilled when a P0 is resolved, not for a P2', async () => {
    expect((await call('GET', `/api/incidents/${p0}/postmortem`)).statusCode).toBe(404)
    clock.advance(10 * MINUTE)
    await updateIncident(t.ctx, p0, { status: 'resolved' }, { actor: system })
    const res = await call('GET', `/api/incidents/${p0}/postmortem`)
    expect(res.statusCode).toBe(200)
    const postmortem = res.json()
    expect(postmortem).toMatchObject({ incidentId: p0, status: 'draft', required: true, actions: [] })
    expect(postmortem.sections.timeline).toContain('Incident opened (P0, investigating, from manual)')
    expect(postmortem.sections.timeline).toContain('2026-03-02T10:10:00.000Z Status investigating → resolved')
    expect(Object.keys(postmortem.prompts)).toEqual([
      'summary',
      'impact',
      'timeline',
      'rootCause',
      'wentWell',
      'wentBadly',
      'actions',
    ])
    expect(postmortem.missingToPublish).toEqual(['summary', 'rootCause', 'at least one action item'])
    expect((await getIncident(t.ctx, p0)).postmortem).toEqual({ required: true, status: 'draft' })

    const p2 = await createIncident(
      t.ctx,
      { title: 'Slow export', severity: 'P2' },
      { actor: system, source: 'manual' },
    )
    await updateIncident(t.ctx, p2.id, { status: 'resolved' }, { actor: system })
    expect((await call('GET', `/api/incidents/${p2.id}/postmortem`)).statusCode).toBe(404)
    expect((await getIncident(t.ctx, p2.id)).postmortem).toEqual({ required: false, status: 'missing' })
  })

  it('writes sections and returns blameless warnings as advice, not errors', async () => {
    const res = await call('PUT', `/api/incidents/${p0}/postmortem`, {
      summary: 'Orders stopped syncing for 30 minutes.',
      rootCause: 'Olive failed to rotate the Shopify token; human error.',
      wentBadly: 'The expiry warning went to a mailbox nobody reads.',
    })
    expect(res.statusCode).toBe(200)
    const postmortem = res.json()
    expect(postmortem.sections).toMatchObject({
      summary: 'Orders stopped syncing for 30 minutes.',
      rootCause: 'Olive failed to rotate the Shopify token; human error.',
    })
    expect(
      postmortem.warnings.map((w: { section: string; phrase: string }) => [w.section, w.phrase]),
    ).toEqual([
      ['rootCause', 'Olive failed to'],
      ['rootCause', 'human error'],
    ])
    const fixed = await call('PUT', `/api/incidents/${p0}/postmortem`, {
      rootCause: 'The Shopify token expired: nothing tracked its expiry and the warning e-mail went unread.',
    })
    expect(fixed.json().warnings).toEqual([])
    expect(fixed.json().updatedBy).toMatch(/^apikey:/)
  })

  it('publishes only with a summary, a root cause and an action item; manages action items', async () => {
    const early = await call('PUT', `/api/incidents/${p0}/postmortem`, { status: 'published' })
    expect(early.statusCode).toBe(409)
    expect(early.json().error).toMatchObject({
      code: 'POSTMORTEM_INCOMPLETE',
      details: { missing: ['at least one action item'] },
    })
    expect((await call('GET', `/api/incidents/${p0}/postmortem`)).json().status).toBe('draft')

    const bad = await call('POST', `/api/incidents/${p0}/postmortem/actions`, {
      title: 'Track token expiry',
      owner: 'Integrations team',
      dueDate: '2026-02-30',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.message).toContain('dueDate')
    const created = await call('POST', `/api/incidents/${p0}/postmortem/actions`, {
      title: 'Alert on Shopify token expiry | 14 days ahead',
      owner: 'Integrations team',
      dueDate: '2026-03-05',
    })
    expect(created.statusCode).toBe(201)
    const action = created.json()
    expect(action).toMatchObject({
      owner: 'Integrations team',
      dueDate: '2026-03-05',
      state: 'open',
      overdue: false,
    })
    const second = (
      await call('POST', `/api/incidents/${p0}/postmortem/actions`, {
        title: 'Route integration warnings to #ops',
        owner: 'Olive Smith',
        dueDate: '2026-03-20',
      })
    ).json()

    const published = await call('PUT', `/api/incidents/${p0}/postmortem`, { status: 'published' })
    expect(published.statusCode).toBe(200)
    expect(published.json()).toMatchObject({ status: 'published', publishedAt: clock.now().toISOString() })

    const done = await call('PATCH', `/api/incidents/${p0}/postmortem/actions/${second.id}`, {
      state: 'done',
    })
    expect(done.json()).toMatchObject({ state: 'done', doneAt: clock.now().toISOString() })
    expect((await call('DELETE', `/api/incidents/${p0}/postmortem/actions/${second.id}`)).statusCode).toBe(
      200,
    )
    const last = await call('DELETE', `/api/incidents/${p0}/postmortem/actions/${action.id}`)
    expect(last.statusCode).toBe(409)
    expect(
      (await call('PATCH', `/api/incidents/${p0}/postmortem/actions/999999`, { state: 'done' })).statusCode,
    ).toBe(404)
    // A published post-mortem keeps what publishing needs.
    expect((await call('PUT', `/api/incidents/${p0}/postmortem`, { summary: '' })).statusCode).toBe(409)

    const events = await t.ctx.db
      .selectFrom('incident_events')
      .select(['kind', 'detail'])
      .where('incident_id', '=', p0)
      .where('kind', '=', 'postmortem')
      .execute()
    expect(events.map((e) => e.detail.change)).toEqual(['published'])
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .select('action')
      .where('action', '=', 'postmortem_update')
      .where('target_id', '=', p0)
      .execute()
    // Two section writes, publishing, two actions added, one changed, one deleted.
    expect(audit).toHaveLength(7)
  })

  it('exports Markdown with the incident header, sections, action table and timeline', async () => {
    const res = await call('GET', `/api/incidents/${p0}/postmortem.md`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8')
    expect(res.headers['content-disposition']).toBe(`attachment; filename="incident-${p0}-postmortem.md"`)
    const text = res.body
    expect(text).toContain(`# Post-mortem: incident #${p0} — Orders not syncing`)
    expect(text).toContain('| Severity | P0 (Critical) |')
    expect(text).toContain('| Duration | 30 minutes |')
    expect(text).toContain('| Lead | unassigned |')
    expect(text).toContain('| Detected | 2026-03-02 09:40 UTC |')
    expect(text).toContain('| Resolved | 2026-03-02 10:10 UTC |')
    expect(text).toContain('## Summary\n\nOrders stopped syncing for 30 minutes.\n')
    expect(text).toContain('## What went well\n\n_Not written yet._')
    expect(text).toContain('| Action | Owner | Due | State |')
    expect(text).toContain(
      '| Alert on Shopify token expiry \\| 14 days ahead | Integrations team | 2026-03-05 | open |',
    )
    expect(text).toContain('## Incident timeline (as recorded)')
    expect(text).toContain('- 2026-03-02 10:10 UTC Post-mortem published')
  })

  it('counts an overdue action item and fires the built-in rule, which resolves once it is done', async () => {
    expect(await postmortemActionsOverdue(t.ctx)).toBe(0)
    // Due 2026-03-05: overdue from 2026-03-06 (UTC).
    clock.advance(3 * DAY + 14 * 60 * MINUTE)
    expect(clock.now().toISOString()).toBe('2026-03-06T00:10:00.000Z')
    expect(await postmortemActionsOverdue(t.ctx)).toBe(1)
    const [action] = (await call('GET', `/api/incidents/${p0}/postmortem`)).json().actions
    expect(action).toMatchObject({ overdue: true })

    await sampleCluster(t.ctx)
    await evaluateAlerts(t.ctx)
    const alert = (await listAlerts(t.ctx)).items.find(
      (a) => a.ruleName === 'Post-mortem action items overdue',
    )
    expect(alert).toMatchObject({ state: 'firing', severity: 'medium' })

    await call('PATCH', `/api/incidents/${p0}/postmortem/actions/${action.id}`, { state: 'done' })
    clock.advance(MINUTE)
    await sampleCluster(t.ctx)
    await evaluateAlerts(t.ctx)
    expect((await listAlerts(t.ctx)).items.find((a) => a.id === alert!.id)?.state).toBe('resolved')
  })

  it('starts a post-mortem by PUT for any incident, publishable only once resolved', async () => {
    const open = await createIncident(
      t.ctx,
      { title: 'Flaky search', severity: 'P3' },
      { actor: system, source: 'manual' },
    )
    const started = await call('PUT', `/api/incidents/${open.id}/postmortem`, {
      summary: 'Search timed out.',
    })
    expect(started.statusCode).toBe(201)
    expect(started.json()).toMatchObject({ required: false, status: 'draft' })
    expect(started.json().sections.timeline).toContain('Incident opened (P3, investigating, from manual)')
    expect(started.json().missingToPublish).toEqual([
      'the incident resolved',
      'rootCause',
      'at least one action item',
    ])
    expect(
      (await call('PUT', `/api/incidents/${open.id}/postmortem`, { status: 'published' })).statusCode,
    ).toBe(409)
    expect((await call('PUT', `/api/incidents/999999/postmortem`, { summary: 'x' })).statusCode).toBe(404)
  })

  it('lets viewers read and only managers write; bad input is refused', async () => {
    expect(
      (await call('PUT', `/api/incidents/${p0}/postmortem`, { summary: 'x' }, 'operator')).statusCode,
    ).toBe(403)
    expect(
      (
        await call(
          'POST',
          `/api/incidents/${p0}/postmortem/actions`,
          { title: 't', owner: 'o', dueDate: '2026-03-01' },
          'viewer',
        )
      ).statusCode,
    ).toBe(403)
    const empty = await call('PUT', `/api/incidents/${p0}/postmortem`, {})
    expect(empty.statusCode).toBe(400)
    expect(empty.json().error).toHaveProperty('code')
    const state = await call('PATCH', `/api/incidents/${p0}/postmortem/actions/1`, { state: 'maybe' })
    expect(state.statusCode).toBe(400)
  })
})
