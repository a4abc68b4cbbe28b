import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/fakes/webhook-receiver.ts'
import type { UserRole } from '../../platform/http/access.ts'
import type { Actor } from '../../platform/http/principal.ts'
import { createUser } from '../auth/users.ts'
import { createChannel } from '../notifications/channels.ts'
import { deliverDue } from '../notifications/service.ts'
import { renderTemplate } from './comms.ts'
import { addNote, createIncident, updateIncident } from './service.ts'

/** The runbook's three messages: filled from the incident, edited, posted to its channels, on its timeline. */

const system: Actor = { type: 'system', id: null }
const MINUTE = 60_000

describe('incident communications', () => {
  const clock = new TestClock('2026-03-02T10:00:00Z')
  let t: TestApp
  let receiver: WebhookReceiver
  let id: string

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    t = await buildTestApp({
      clock,
      env: { SLACK_WEBHOOK_URL: `${receiver.url}/slack`, NOTIFY_POLL_MS: '0' },
    })
    await createUser(
      t.ctx,
      { email: 'olive@example.com', name: 'Olive Smith', role: 'manager', password: 'correct horse battery' },
      system,
    )
    const incident = await createIncident(
      t.ctx,
      {
        title: 'Checkout down',
        severity: 'P0',
        impact: 'Customers cannot pay at checkout',
        lead: 'olive@example.com',
        detectedAt: new Date(clock.ms() - 10 * MINUTE).toISOString(),
      },
      { actor: system, source: 'manual' },
    )
    id = incident.id
  })
  afterAll(async () => {
    await t.close()
    await receiver.close()
  })

  const preview = async (template: string, role: 'viewer' | 'manager' = 'viewer') =>
    t.app.inject({
      method: 'GET',
      url: `/api/incidents/${id}/messages/${template}`,
      headers: await as(t.ctx, role),
    })
  const send = async (payload: object, headers: Record<string, string> = {}, role: UserRole = 'manager') =>
    t.app.inject({
      method: 'POST',
      url: `/api/incidents/${id}/messages`,
      headers: { ...(await as(t.ctx, role)), ...headers },
      payload,
    })
  const counts = async () => {
    const outbox = await t.ctx.db.selectFrom('notification_outbox').select('id').execute()
    const messages = await t.ctx.db
      .selectFrom('incident_events')
      .select('id')
      .where('incident_id', '=', id)
      .where('kind', '=', 'message')
      .execute()
    return { outbox: outbox.length, timeline: messages.length }
  }

  it('renders the initial alert from the incident: severity, status, impact, lead', async () => {
    const res = await preview('initial')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      template: 'initial',
      title: `[P0] Incident #${id}: Checkout down`,
      text: [
        '🚨 **INCIDENT ALERT**',
        '**Severity**: P0 (Critical)',
        '**Status**: Investigating',
        '**Impact**: Customers cannot pay at checkout',
        '**ETA**: Investigating',
        '**Lead**: @Olive Smith',
      ].join('\n'),
      channels: ['slack'],
      placeholders: [],
    })
  })

  it('leaves what the incident cannot say as placeholders, and an unassigned lead as such', () => {
    const rendered = renderTemplate(
      {
        id: '7',
        title: 'Slow reports',
        severity: 'P3',
        status: 'identified',
        impact: '  ',
        lead: null,
        durationMinutes: 61,
        timeline: [],
      },
      'initial',
    )
    expect(rendered.text).toContain('**Severity**: P3 (Low)')
    expect(rendered.text).toContain('**Status**: Identified')
    expect(rendered.text).toContain('**Impact**: [Brief description]')
    expect(rendered.text).toContain('**ETA**: [Updated timeline]')
    expect(rendered.text).toContain('**Lead**: unassigned')
    expect(rendered.placeholders).toEqual(['[Brief description]', '[Updated timeline]'])
    const resolved = renderTemplate(
      {
        id: '7',
        title: 'Slow reports',
        severity: 'P3',
        status: 'resolved',
        impact: '',
        lead: null,
        durationMinutes: 1,
        timeline: [],
      },
      'resolution',
    )
    expect(resolved.text).toContain('**Duration**: 1 minute\n')
  })

  it('sends the initial alert as edited, through the outbox to the channel, and records it', async () => {
    const before = await counts()
    const edited = (await preview('initial'))
      .json()
      .text.replace('@Olive Smith', '@Olive Smith (bridge: meet.example/war-room)')
    const res = await send({ template: 'initial', text: edited })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toEqual({ queued: 1, channels: ['slack'], unreached: [] })

    const outbox = await t.ctx.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('source', '=', `incident:${id}`)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(outbox).toMatchObject({
      channel: 'slack',
      title: `[P0] Incident #${id}: Checkout down`,
      status: 'pending',
    })
    expect((outbox.content as { text: string; severity: string }).text).toBe(edited)
    expect((outbox.content as { severity: string }).severity).toBe('critical')

    // Delivered to the (local) Slack webhook with the edited words.
    expect(await deliverDue(t.ctx)).toMatchObject({ sent: 1 })
    const received = receiver.requests.at(-1)!
    expect(received.path).toBe('/slack')
    expect(JSON.stringify(received.json)).toContain('bridge: meet.example/war-room')

    const event = await t.ctx.db
      .selectFrom('incident_events')
      .selectAll()
      .where('incident_id', '=', id)
      .where('kind', '=', 'message')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(event.actor).toMatch(/^apikey:/)
    expect(event.detail).toEqual({
      template: 'initial',
      title: `[P0] Incident #${id}: Checkout down`,
      text: edited,
      channels: ['slack'],
      unreached: [],
    })
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('action', '=', 'incident_message')
      .where('target_id', '=', id)
      .execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.new_values).toMatchObject({ template: 'initial', channels: ['slack'], queued: 1 })
    expect(await counts()).toEqual({ outbox: before.outbox + 1, timeline: before.timeline + 1 })
  })

  it('fills the update with the progress since the last message; refuses it while placeholders are left', async () => {
    clock.advance(5 * MINUTE)
    await addNote(t.ctx, id, 'Rolled back release 1.4.2', { actor: system })
    clock.advance(2 * MINUTE)
    await updateIncident(t.ctx, id, { status: 'mitigating' }, { actor: system })
    const rendered = (await preview('update')).json()
    expect(rendered.title).toBe(`[P0] Incident #${id} update: Checkout down`)
    expect(rendered.text).toBe(
      [
        '📊 **INCIDENT UPDATE**',
        '**Status**: Mitigating',
        '**Progress**: 10:05 UTC Note: Rolled back release 1.4.2; 10:07 UTC Status investigating → mitigating',
        '**Next Steps**: [What will be done next]',
        '**ETA**: [Updated timeline]',
      ].join('\n'),
    )
    expect(rendered.placeholders).toEqual(['[What will be done next]', '[Updated timeline]'])

    const before = await counts()
    const unedited = await send({ template: 'update', text: rendered.text })
    expect(unedited.statusCode).toBe(400)
    expect(unedited.json().error.code).toBe('UNFILLED_PLACEHOLDERS')
    expect(unedited.json().error.message).toContain('[What will be done next]')
    expect(await counts()).toEqual(before)

    const text = rendered.text
      .replace('[What will be done next]', 'Fail over to the standby database')
      .replace('[Updated timeline]', '30 minutes')
    const sent = await send({ template: 'update', title: 'Checkout: failing over', text })
    expect(sent.statusCode).toBe(201)
    const stored = await t.ctx.db
      .selectFrom('notification_outbox')
      .select(['title', 'content'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(stored.title).toBe('Checkout: failing over')
    expect((stored.content as { text: string }).text).toContain(
      '**Next Steps**: Fail over to the standby database',
    )

    // The next update starts from what happened after this one.
    expect((await preview('update')).json().text).toContain('**Progress**: [What has been done]')
  })

  it('answers a retried request with the same Idempotency-Key once, sending nothing again', async () => {
    const payload = { template: 'update', text: 'Failover complete; error rate back to normal.' }
    const key = { 'idempotency-key': 'incident-update-retry-1' }
    const first = await send(payload, key)
    expect(first.statusCode).toBe(201)
    const after = await counts()
    const again = await send(payload, key)
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json()).toEqual(first.json())
    expect(await counts()).toEqual(after)
    const other = await send({ ...payload, text: 'Something else' }, key)
    expect(other.statusCode).toBe(422)
  })

  it('refuses unknown channels by name and writes nothing; reports a disabled one as unreached', async () => {
    const before = await counts()
    const unknown = await send({ template: 'update', text: 'All quiet.', channels: ['slack', 'pager'] })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().error).toMatchObject({ code: 'UNKNOWN_CHANNEL' })
    expect(unknown.json().error.message).toContain('pager')
    expect(await counts()).toEqual(before)

    await createChannel(
      t.ctx,
      {
        name: 'ops-hook',
        kind: 'webhook',
        destination: 'https://hooks.example.com/ops',
        secret: 'a-long-enough-secret-42',
        enabled: false,
      },
      system,
    )
    const partly = await send({ template: 'update', text: 'All quiet.', channels: ['slack', 'ops-hook'] })
    expect(partly.statusCode).toBe(201)
    expect(partly.json()).toMatchObject({
      queued: 1,
      channels: ['slack', 'ops-hook'],
      unreached: [{ channel: 'ops-hook' }],
    })
  })

  it('sends the resolution only once resolved, with duration and the written root cause', async () => {
    const early = await send({ template: 'resolution', text: 'Resolved, we think.' })
    expect(early.statusCode).toBe(409)

    // Detected 10 minutes before 10:00; resolved at 10:22.
    clock.advance(15 * MINUTE)
    await updateIncident(t.ctx, id, { status: 'resolved' }, { actor: system })
    const manager = await as(t.ctx, 'manager')
    await t.app.inject({
      method: 'PUT',
      url: `/api/incidents/${id}/postmortem`,
      headers: manager,
      payload: { rootCause: 'The connection pool was exhausted by a retry storm.' },
    })
    await t.app.inject({
      method: 'POST',
      url: `/api/incidents/${id}/postmortem/actions`,
      headers: manager,
      payload: { title: 'Cap client retries', owner: 'Payments team', dueDate: '2026-03-09' },
    })
    const rendered = (await preview('resolution')).json()
    expect(rendered.title).toBe(`[RESOLVED] Incident #${id}: Checkout down`)
    expect(rendered.text).toBe(
      [
        '✅ **INCIDENT RESOLVED**',
        '**Duration**: 32 minutes',
        '**Root Cause**: The connection pool was exhausted by a retry storm.',
        '**Resolution**: [What was done]',
        '**Follow-up**: Cap client retries (Payments team, due 2026-03-09)',
      ].join('\n'),
    )
    const sent = await send({
      template: 'resolution',
      text: rendered.text.replace('[What was done]', 'Failed over and capped retries'),
    })
    expect(sent.statusCode).toBe(201)
    const stored = await t.ctx.db
      .selectFrom('notification_outbox')
      .select(['content'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(stored.content).toMatchObject({ severity: 'info' })
  })

  it('lets viewers preview and only managers send; bad input is a 4xx with the error shape', async () => {
    expect((await send({ template: 'update', text: 'x' }, {}, 'operator')).statusCode).toBe(403)
    expect((await preview('nonsense')).statusCode).toBe(400)
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/incidents/999999/messages/initial',
      headers: await as(t.ctx, 'viewer'),
    })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().error.code).toBe('NOT_FOUND')
    const blank = await send({ template: 'update', text: '   ' })
    expect(blank.statusCode).toBe(400)
    expect(blank.json().error).toHaveProperty('code')
  })
})
