import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { TTL_MS } from './cache.ts'

describe('API keys over HTTP', () => {
  let t: TestApp
  const clock = new TestClock('2026-03-01T10:00:00Z')
  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false })
  })
  afterAll(() => t.close())

  const admin = () => as(t.ctx, 'admin')
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

  it('creates a key shown once, stores only its hash, and the key works for its role', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: await admin(),
      payload: { name: 'ci deploys', role: 'operator' },
    })
    expect(res.statusCode).toBe(201)
    const { apiKey, key } = res.json()
    expect(key).toMatch(/^sk_[a-z0-9]{8}_[A-Za-z0-9_-]{32}$/)
    expect(apiKey).toMatchObject({ name: 'ci deploys', role: 'operator', state: 'active', lastUsedAt: null })
    expect(key.startsWith(`sk_${apiKey.prefix}_`)).toBe(true)

    const stored = await t.ctx.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(stored)).not.toContain(key)

    expect((await t.app.inject({ url: '/api/metrics', headers: bearer(key) })).statusCode).toBe(200)
    expect((await t.app.inject({ url: '/api/api-keys', headers: bearer(key) })).statusCode).toBe(403)

    const list = (await t.app.inject({ url: '/api/api-keys', headers: await admin() })).json()
    const listed = list.items.find((k: { id: string }) => k.id === apiKey.id)
    expect(listed.lastUsedAt).toBe(clock.now().toISOString())
    expect(JSON.stringify(list)).not.toContain(key)
  })

  it('rotates: the old key works during the overlap and is rejected after it', async () => {
    const created = (
      await t.app.inject({
        method: 'POST',
        url: '/api/api-keys',
        headers: await admin(),
        payload: { name: 'scraper', role: 'viewer' },
      })
    ).json()
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/api/api-keys/${created.apiKey.id}/rotate`,
      headers: await admin(),
      payload: { overlapHours: 24 },
    })
    expect(rotated.statusCode).toBe(201)
    const { key: newKey, previous, apiKey } = rotated.json()
    expect(previous).toMatchObject({ id: created.apiKey.id, state: 'expiring', replacedBy: apiKey.id })
    expect(previous.expiresAt).toBe(new Date(clock.ms() + 24 * 3_600_000).toISOString())

    clock.advance(23 * 3_600_000)
    expect((await t.app.inject({ url: '/api/metrics', headers: bearer(created.key) })).statusCode).toBe(200)
    expect((await t.app.inject({ url: '/api/metrics', headers: bearer(newKey) })).statusCode).toBe(200)

    clock.advance(3_600_000)
    expect((await t.app.inject({ url: '/api/metrics', headers: bearer(created.key) })).statusCode).toBe(401)
    expect((await t.app.inject({ url: '/api/metrics', headers: bearer(newKey) })).statusCode).toBe(200)

    const again = await t.app.inject({
      method: 'POST',
      url: `/api/api-keys/${created.apiKey.id}/rotate`,
      headers: await admin(),
      payload: {},
    })
    expect(again.statusCode).toBe(404)
  })

  it('revokes at once', async () => {
    const created = (
      await t.app.inject({
        method: 'POST',
        url: '/api/api-keys',
        headers: await admin(),
        payload: { name: 'temp', role: 'viewer' },
      })
    ).json()
    // used first, so it is in this process's cache of known keys when it is revoked
    expect((await t.app.inject({ url: '/api/metrics', headers: bearer(created.key) })).statusCode).toBe(200)
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/api-keys/${created.apiKey.id}`,
      headers: await admin(),
    })
    expect(revoked.statusCode).toBe(200)
    expect(revoked.json().state).toBe('revoked')
    expect((await t.app.inject({ url: '/api/metrics', headers: bearer(created.key) })).statusCode).toBe(401)
    const twice = await t.app.inject({
      method: 'DELETE',
      url: `/api/api-keys/${created.apiKey.id}`,
      headers: await admin(),
    })
    expect(twice.statusCode).toBe(404)
    const all = (
      await t.app.inject({ url: '/api/api-keys?includeInactive=true', headers: await admin() })
    ).json()
    expect(
      all.items.some(
        (k: { id: string; state: string }) => k.id === created.apiKey.id && k.state === 'revoked',
      ),
    ).toBe(true)
    const active = (await t.app.inject({ url: '/api/api-keys', headers: await admin() })).json()
    expect(active.items.some((k: { id: string }) => k.id === created.apiKey.id)).toBe(false)
  })

  it('a key revoked where this process cannot hear of it stops working within the cache time', async () => {
    const created = (
      await t.app.inject({
        method: 'POST',
        url: '/api/api-keys',
        headers: await admin(),
        payload: { name: 'elsewhere', role: 'viewer' },
      })
    ).json()
    expect((await t.app.inject({ url: '/api/metrics', headers: bearer(created.key) })).statusCode).toBe(200)
    // as `sentia apikey:revoke` in another process without Redis does: the row only
    await t.ctx.db
      .updateTable('api_keys')
      .set({ revoked_at: clock.now() })
      .where('id', '=', created.apiKey.id)
      .execute()
    expect((await t.app.inject({ url: '/api/metrics', headers: bearer(created.key) })).statusCode).toBe(200)
    clock.advance(TTL_MS)
    expect((await t.app.inject({ url: '/api/metrics', headers: bearer(created.key) })).statusCode).toBe(401)
  })

  it('audits create, rotate and revoke with the acting key and no secret', async () => {
    const entries = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('action', 'in', ['apikey_create', 'apikey_rotate', 'apikey_revoke'])
      .orderBy('id')
      .execute()
    const actions = entries.map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['apikey_create', 'apikey_rotate', 'apikey_revoke']))
    const rotate = entries.find((e) => e.action === 'apikey_rotate')!
    expect(rotate.actor_type).toBe('apikey')
    expect(rotate.target_type).toBe('api_key')
    expect(rotate.request_id).toBeTruthy()
    expect(rotate.ip).toBe('127.0.0.1')
    expect(JSON.stringify(entries)).not.toMatch(/sk_[a-z0-9]{8}_/)
  })

  it.each([
    [{ name: '', role: 'viewer' }],
    [{ name: 'x', role: 'root' }],
    [{ name: 'x'.repeat(101), role: 'viewer' }],
    [{ name: 'x', role: 'viewer', extra: true }],
    [{ name: '<script>', role: 'viewer' }],
    [{ name: 42, role: 'viewer' }],
    [{ name: null, role: null }],
  ])('rejects bad input %j with 400 and writes nothing', async (payload) => {
    const before = await t.ctx.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    const res = await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: await admin(), payload })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('VALIDATION_FAILED')
    const after = await t.ctx.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toEqual(before.n)
  })

  it('rejects a malformed id with 400', async () => {
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/api-keys/not-a-uuid',
      headers: await admin(),
    })
    expect(res.statusCode).toBe(400)
  })
})
