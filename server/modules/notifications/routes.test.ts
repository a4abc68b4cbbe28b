import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/fakes/webhook-receiver.ts'
import type { UserRole } from '../../platform/http/access.ts'
import { deliverDue, enqueueNotification } from './service.ts'

/** The notification API: who may do what, validation, secrets never shown, dead letters and retry. */

const CHANNEL_SECRET = 'channel-secret-never-shown-42'

describe('notification routes', () => {
  const clock = new TestClock()
  let t: TestApp
  let receiver: WebhookReceiver

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: CHANNEL_SECRET })
    t = await buildTestApp({
      clock,
      env: { NOTIFY_POLL_MS: '0', NOTIFY_MAX_ATTEMPTS: '3', NOTIFY_TIMEOUT_MS: '2000' },
    })
  })
  afterAll(async () => {
    await receiver.close()
    await t.close()
  })

  const call = async (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    role: UserRole | null,
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url,
      headers: role ? await as(t.ctx, role) : {},
      ...(payload === undefined ? {} : { payload }),
    })

  it('lets operators read, only admins change, and nobody without a key', async () => {
    const cases: [
      'GET' | 'POST' | 'PATCH' | 'DELETE',
      string,
      UserRole | null,
      object | undefined,
      number,
    ][] = [
      ['GET', '/api/notifications/channels', null, undefined, 401],
      ['GET', '/api/notifications/channels', 'viewer', undefined, 403],
      ['GET', '/api/notifications/channels', 'operator', undefined, 200],
      ['GET', '/api/notifications/messages', 'viewer', undefined, 403],
      ['GET', '/api/notifications/messages', 'operator', undefined, 200],
      [
        'POST',
        '/api/notifications/channels',
        'manager',
        { name: 'x', kind: 'slack', destination: 'https://hooks.slack.com/x' },
        403,
      ],
      ['PATCH', '/api/notifications/channels/x', 'manager', { enabled: false }, 403],
      ['DELETE', '/api/notifications/channels/x', 'operator', undefined, 403],
      ['POST', '/api/notifications/channels/x/test', 'manager', {}, 403],
      ['POST', '/api/notifications/messages/1/retry', 'operator', {}, 403],
    ]
    for (const [method, url, role, payload, expected] of cases) {
      const res = await call(method, url, role, payload)
      expect(res.statusCode, `${role} ${method} ${url}`).toBe(expected)
    }
    const declared = t.app.routeTable
      .filter((route) => route.url.startsWith('/api/notifications') && route.method !== 'HEAD')
      .map((route) => `${route.method} ${route.url} ${route.access}`)
    expect(declared.sort()).toEqual([
      'DELETE /api/notifications/channels/:name admin',
      'GET /api/notifications/channels operator',
      'GET /api/notifications/messages operator',
      'GET /api/notifications/messages/:id operator',
      'PATCH /api/notifications/channels/:name admin',
      'POST /api/notifications/channels admin',
      'POST /api/notifications/channels/:name/test admin',
      'POST /api/notifications/messages/:id/retry admin',
    ])
  })

  it('refuses bad channels with 400 and the reserved names with 409', async () => {
    const bad: [object, string][] = [
      [
        { name: 'Ops', kind: 'webhook', destination: 'https://example.com/h', secret: CHANNEL_SECRET },
        'VALIDATION_FAILED',
      ],
      [{ name: 'ops', kind: 'pager', destination: 'https://example.com/h' }, 'VALIDATION_FAILED'],
      [
        { name: 'ops', kind: 'webhook', destination: 'not a url', secret: CHANNEL_SECRET },
        'VALIDATION_FAILED',
      ],
      [
        { name: 'ops', kind: 'webhook', destination: 'ftp://example.com/h', secret: CHANNEL_SECRET },
        'VALIDATION_FAILED',
      ],
      [{ name: 'ops', kind: 'slack', destination: 'http://hooks.slack.com/services/x' }, 'VALIDATION_FAILED'],
      [
        { name: 'ops', kind: 'slack', destination: 'https://hooks.slack.com/x', secret: CHANNEL_SECRET },
        'VALIDATION_FAILED',
      ],
      [
        { name: 'ops', kind: 'webhook', destination: 'https://example.com/h', secret: 'short' },
        'VALIDATION_FAILED',
      ],
      [{ name: 'ops', kind: 'email', destination: 'ops@example.com, nobody' }, 'VALIDATION_FAILED'],
      [{ name: 'ops', kind: 'webhook', destination: 'https://example.com/h', extra: 1 }, 'VALIDATION_FAILED'],
    ]
    for (const [payload, code] of bad) {
      const res = await call('POST', '/api/notifications/channels', 'admin', payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(res.json().error.code).toBe(code)
    }
    // No secret anywhere to sign with (NOTIFY_WEBHOOK_SECRET unset), no SMTP_URL for email.
    const unsigned = await call('POST', '/api/notifications/channels', 'admin', {
      name: 'ops',
      kind: 'webhook',
      destination: 'https://example.com/h',
    })
    expect(unsigned.statusCode).toBe(422)
    expect(unsigned.json().error.code).toBe('NOTIFICATIONS_NOT_CONFIGURED')
    const email = await call('POST', '/api/notifications/channels', 'admin', {
      name: 'ops',
      kind: 'email',
      destination: 'ops@example.com',
    })
    expect(email.json().error.code).toBe('NOTIFICATIONS_NOT_CONFIGURED')
    const reserved = await call('POST', '/api/notifications/channels', 'admin', {
      name: 'slack',
      kind: 'slack',
      destination: 'https://hooks.slack.com/services/x',
    })
    expect(reserved.statusCode).toBe(409)
    expect(reserved.json().error.code).toBe('ENVIRONMENT_CHANNEL')
    const patch = await call('PATCH', '/api/notifications/channels/missing', 'admin', {})
    expect(patch.statusCode).toBe(400)
    expect((await call('GET', '/api/notifications/messages?status=lost', 'operator')).statusCode).toBe(400)
    expect((await call('GET', '/api/notifications/messages?cursor=abc', 'operator')).statusCode).toBe(400)
    expect((await call('POST', '/api/notifications/messages/abc/retry', 'admin', {})).statusCode).toBe(400)
  })

  it('never returns or audits a channel secret', async () => {
    const created = await call('POST', '/api/notifications/channels', 'admin', {
      name: 'plant-hook',
      kind: 'webhook',
      destination: `${receiver.url}/path-token-xyz`,
      secret: CHANNEL_SECRET,
    })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({
      name: 'plant-hook',
      kind: 'webhook',
      destination: `${receiver.url}/…`,
      hasSecret: true,
      enabled: true,
      origin: 'stored',
    })
    const duplicate = await call('POST', '/api/notifications/channels', 'admin', {
      name: 'plant-hook',
      kind: 'webhook',
      destination: `${receiver.url}/other`,
      secret: CHANNEL_SECRET,
    })
    expect(duplicate.statusCode).toBe(409)
    const patched = await call('PATCH', '/api/notifications/channels/plant-hook', 'admin', { enabled: true })
    expect(patched.statusCode).toBe(200)
    const list = await call('GET', '/api/notifications/channels', 'operator')
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('target_type', '=', 'notification_channel')
      .execute()
    expect(audit.map((a) => a.action)).toEqual(['notification_channel_create', 'notification_channel_update'])
    for (const text of [created.body, patched.body, list.body, JSON.stringify(audit)]) {
      expect(text).not.toContain(CHANNEL_SECRET)
      expect(text).not.toContain('path-token-xyz')
    }
  })

  it('dead-letters a message after NOTIFY_MAX_ATTEMPTS, and the retry route delivers it', async () => {
    receiver.always({ status: 500 })
    const { id } = await enqueueNotification(t.ctx, t.ctx.db, {
      target: { channel: 'plant-hook' },
      idempotencyKey: 'dead-1',
      title: 'Bottling line stopped',
      text: 'L2 down',
      source: 'alert:99',
    })
    for (let attempt = 1; attempt <= 3; attempt++) {
      const outcome = await deliverDue(t.ctx)
      expect(outcome).toEqual(attempt < 3 ? { sent: 0, failed: 1, dead: 0 } : { sent: 0, failed: 0, dead: 1 })
      clock.advance(60_000)
    }
    expect(await deliverDue(t.ctx)).toEqual({ sent: 0, failed: 0, dead: 0 })

    const dead = await call('GET', '/api/notifications/messages?status=dead', 'operator')
    expect(dead.json().items.map((m: { id: string }) => m.id)).toEqual([id])
    expect(dead.json().items[0]).toMatchObject({
      status: 'dead',
      attempts: 3,
      target: { kind: 'webhook', channel: 'plant-hook', destination: null },
      source: 'alert:99',
    })
    expect(dead.json().items[0].lastError).toMatch(/^HTTP 500/)
    const channels = await call('GET', '/api/notifications/channels', 'operator')
    expect(channels.json().items.find((c: { name: string }) => c.name === 'plant-hook').stats).toMatchObject({
      sent24h: 0,
      failed24h: 3,
      successRate: 0,
      dead: 1,
      pending: 0,
    })

    receiver.always(null)
    const retried = await call('POST', `/api/notifications/messages/${id}/retry`, 'admin', {})
    expect(retried.statusCode).toBe(200)
    expect(retried.json()).toMatchObject({ id, status: 'pending', attempts: 0 })
    expect(await deliverDue(t.ctx)).toEqual({ sent: 1, failed: 0, dead: 0 })
    expect(receiver.processed.has('dead-1')).toBe(true)

    const again = await call('POST', `/api/notifications/messages/${id}/retry`, 'admin', {})
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('NOT_DEAD')
    expect((await call('POST', '/api/notifications/messages/999999/retry', 'admin', {})).statusCode).toBe(404)

    const detail = await call('GET', `/api/notifications/messages/${id}`, 'operator')
    expect(detail.json().history.map((h: { outcome: string }) => h.outcome)).toEqual([
      'failed',
      'failed',
      'failed',
      'sent',
    ])
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('action', '=', 'notification_retry')
      .executeTakeFirstOrThrow()
    expect(audit.target_id).toBe(id)
    expect(audit.actor_type).toBe('apikey')

    const metrics = (await t.app.inject({ url: '/metrics' })).body
    expect(metrics).toMatch(/notifications_attempts_total\{[^}]*kind="webhook",outcome="failed"[^}]*\} 2/)
    expect(metrics).toMatch(/notifications_attempts_total\{[^}]*kind="webhook",outcome="dead"[^}]*\} 1/)
    expect(metrics).toMatch(/notifications_attempts_total\{[^}]*kind="webhook",outcome="sent"[^}]*\} 1/)
    expect(metrics).toMatch(/notifications_outbox_messages\{[^}]*status="dead"[^}]*\} 0/)
  })

  it('queues a test message, pages and filters the outbox', async () => {
    const sent = await call('POST', '/api/notifications/channels/plant-hook/test', 'admin', {})
    expect(sent.statusCode).toBe(202)
    const { id } = sent.json()
    expect((await call('POST', '/api/notifications/channels/nowhere/test', 'admin', {})).statusCode).toBe(404)
    expect(await deliverDue(t.ctx)).toEqual({ sent: 1, failed: 0, dead: 0 })
    const test = [...receiver.processed.values()].at(-1) as { id: string; source: string; title: string }
    expect(test).toMatchObject({ id, source: 'test', title: 'Test notification from Sentia' })

    const bySource = await call('GET', '/api/notifications/messages?source=test', 'operator')
    expect(bySource.json().items.map((m: { id: string }) => m.id)).toEqual([id])
    const first = await call('GET', '/api/notifications/messages?limit=1', 'operator')
    expect(first.json().items).toHaveLength(1)
    expect(first.json().items[0].id).toBe(id)
    const second = await call(
      'GET',
      `/api/notifications/messages?limit=1&cursor=${first.json().nextCursor}`,
      'operator',
    )
    expect(second.json().items[0].idempotencyKey).toBe('dead-1')
    expect(second.json().nextCursor).toBeNull()

    const disabled = await call('PATCH', '/api/notifications/channels/plant-hook', 'admin', {
      enabled: false,
    })
    expect(disabled.json().enabled).toBe(false)
    expect(
      (await call('POST', '/api/notifications/channels/plant-hook/test', 'admin', {})).json().error.code,
    ).toBe('CHANNEL_DISABLED')
    const held = await enqueueNotification(t.ctx, t.ctx.db, {
      target: { channel: 'plant-hook' },
      idempotencyKey: 'to-disabled',
      title: 't',
      text: 't',
    })
    const row = await t.ctx.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('id', '=', held.id)
      .executeTakeFirstOrThrow()
    expect(row.status).toBe('dead')
    expect(row.last_error).toBe('channel "plant-hook" is disabled')
  })

  it('stores a message to an address whose kind is not configured as a dead letter', async () => {
    for (const [target, error] of [
      [{ email: 'manager@example.com' }, 'email notifications need SMTP_URL'],
      [
        { webhook: 'https://hooks.example.com/x' },
        'webhook notifications need a secret (or NOTIFY_WEBHOOK_SECRET) to sign webhooks with',
      ],
    ] as const) {
      const queued = await enqueueNotification(t.ctx, t.ctx.db, {
        target,
        idempotencyKey: `unconfigured-${Object.keys(target)[0]}`,
        title: 't',
        text: 't',
      })
      expect(queued.created).toBe(true)
      const res = await call('GET', `/api/notifications/messages/${queued.id}`, 'operator')
      expect(res.json()).toMatchObject({ status: 'dead', attempts: 0, lastError: error, history: [] })
    }
  })

  it('deletes a channel, dead-lettering what it had not delivered', async () => {
    await call('PATCH', '/api/notifications/channels/plant-hook', 'admin', { enabled: true })
    await enqueueNotification(t.ctx, t.ctx.db, {
      target: { channel: 'plant-hook' },
      idempotencyKey: 'before-delete',
      title: 't',
      text: 't',
    })
    const deleted = await call('DELETE', '/api/notifications/channels/plant-hook', 'admin')
    expect(deleted.statusCode).toBe(200)
    expect(deleted.json()).toEqual({ name: 'plant-hook', deadLettered: 1 })
    expect((await call('DELETE', '/api/notifications/channels/plant-hook', 'admin')).statusCode).toBe(404)
    expect(await deliverDue(t.ctx)).toEqual({ sent: 0, failed: 0, dead: 0 })
  })
})
