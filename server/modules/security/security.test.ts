import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { blocklistOf } from './blocklist.ts'
import { noteFailedLogin } from './failed-logins.ts'
import { currentLogLevel, expireLogLevel } from './log-level.ts'

const ATTACKER = '203.0.113.66'

describe('IP blocklist', () => {
  let t: TestApp
  const clock = new TestClock('2026-04-01T12:00:00Z')
  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false })
  })
  afterAll(() => t.close())
  const admin = () => as(t.ctx, 'admin')
  const from = (ip: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url: '/health/live', remoteAddress: ip, headers })

  it('blocks an address with 403 before any other work, and lifts it', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/security/ip-blocks',
      headers: await admin(),
      payload: { cidr: ATTACKER, reason: 'scanner' },
    })
    expect(res.statusCode).toBe(201)
    const block = res.json()
    expect(block).toMatchObject({ cidr: `${ATTACKER}/32`, source: 'manual', active: true, reason: 'scanner' })

    const blocked = await from(ATTACKER)
    expect(blocked.statusCode).toBe(403)
    expect(blocked.json().error.code).toBe('IP_BLOCKED')
    expect(blocked.headers['x-request-id']).toBeTruthy()
    expect(blocked.headers['x-content-type-options']).toBe('nosniff')
    // even a valid admin key does not get through
    const adminBlocked = await t.app.inject({
      url: '/api/api-keys',
      remoteAddress: ATTACKER,
      headers: await admin(),
    })
    expect(adminBlocked.statusCode).toBe(403)
    expect((await from('203.0.113.67')).statusCode).toBe(200)

    const lifted = await t.app.inject({
      method: 'DELETE',
      url: `/api/security/ip-blocks/${block.id}`,
      headers: await admin(),
    })
    expect(lifted.statusCode).toBe(200)
    expect(lifted.json().active).toBe(false)
    expect((await from(ATTACKER)).statusCode).toBe(200)

    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .select('action')
      .where('target_id', '=', block.id)
      .execute()
    expect(audit.map((a) => a.action).sort()).toEqual(['ip_block', 'ip_unblock'])
    const events = await t.ctx.db
      .selectFrom('security_events')
      .selectAll()
      .where('kind', '=', 'blocked')
      .execute()
    expect(events.length).toBeGreaterThanOrEqual(2)
    expect(events[0]).toMatchObject({ ip: ATTACKER, pattern: `${ATTACKER}/32` })
  })

  it('blocks a CIDR range (and IPv4-mapped IPv6 peers) until it expires', async () => {
    const until = new Date(clock.ms() + 3_600_000).toISOString()
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/security/ip-blocks',
      headers: await admin(),
      payload: { cidr: '198.51.100.0/24', until },
    })
    expect(res.json()).toMatchObject({ cidr: '198.51.100.0/24', expiresAt: until })
    expect((await from('198.51.100.200')).statusCode).toBe(403)
    expect((await from('::ffff:198.51.100.7')).statusCode).toBe(403)
    expect((await from('198.51.101.1')).statusCode).toBe(200)
    clock.advance(3_600_000)
    expect((await from('198.51.100.200')).statusCode).toBe(200)
    const list = (await t.app.inject({ url: '/api/security/ip-blocks', headers: await admin() })).json()
    expect(list.items.some((b: { cidr: string }) => b.cidr === '198.51.100.0/24')).toBe(false)
  })

  it('does not let a spoofed X-Forwarded-For evade a block when no proxy is trusted', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/security/ip-blocks',
      headers: await admin(),
      payload: { cidr: '192.0.2.10' },
    })
    const spoofed = await from('192.0.2.10', { 'x-forwarded-for': '8.8.8.8' })
    expect(spoofed.statusCode).toBe(403)
  })

  it('blocks an address automatically after too many failed sign-ins across accounts', async () => {
    const ip = '192.0.2.99'
    for (let i = 0; i < 19; i++) await noteFailedLogin(t.ctx, { ip, subject: `user${i}@example.com` })
    expect(await blocklistOf(t.ctx).match(ip)).toBeNull()
    await noteFailedLogin(t.ctx, { ip, subject: 'user19@example.com' })
    const block = await blocklistOf(t.ctx).match(ip)
    expect(block).toMatchObject({ source: 'automatic', cidr: `${ip}/32` })
    expect(block!.reason).toContain('20 failed sign-ins')
    expect(Date.parse(block!.expiresAt!)).toBe(clock.ms() + 60 * 60_000)
    expect((await from(ip)).statusCode).toBe(403)
    clock.advance(60 * 60_000)
    expect((await from(ip)).statusCode).toBe(200)
  })

  it.each([
    [{ cidr: '999.1.1.1' }],
    [{ cidr: '10.0.0.0/99' }],
    [{ cidr: 'example.com' }],
    [{ cidr: '10.0.0.1', until: '2000-01-01T00:00:00Z' }],
    [{ cidr: '10.0.0.1', extra: 1 }],
  ])('rejects a bad block %j with 400', async (payload) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/security/ip-blocks',
      headers: await admin(),
      payload,
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().error).toHaveProperty('code')
  })
})

describe('client address behind a trusted proxy', () => {
  it('takes the address from X-Forwarded-For only from the configured proxy', async () => {
    const t = await buildTestApp({ start: false, env: { TRUST_PROXY: '127.0.0.1' } })
    try {
      await t.app.inject({
        method: 'POST',
        url: '/api/security/ip-blocks',
        headers: await as(t.ctx, 'admin'),
        payload: { cidr: '192.0.2.50' },
      })
      const viaProxy = (xff: string) =>
        t.app.inject({ url: '/health/live', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': xff } })
      expect((await viaProxy('192.0.2.50')).statusCode).toBe(403)
      expect((await viaProxy('192.0.2.51')).statusCode).toBe(200)
      // a client that is not the proxy cannot pick its address
      const direct = await t.app.inject({
        url: '/health/live',
        remoteAddress: '192.0.2.50',
        headers: { 'x-forwarded-for': '192.0.2.51' },
      })
      expect(direct.statusCode).toBe(403)
    } finally {
      await t.close()
    }
  })
})

describe('security events', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ start: false })
  })
  afterAll(() => t.close())

  it('records injection patterns without refusing them by default', async () => {
    const res = await t.app.inject({ url: "/health/live?q=' OR '1'='1", remoteAddress: '198.51.100.1' })
    expect(res.statusCode).toBe(200)
    const res2 = await t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: await as(t.ctx, 'admin'),
      payload: { name: '<script>alert(1)</script>', role: 'viewer' },
    })
    expect(res2.statusCode).toBe(400)
    const page = (
      await t.app.inject({
        url: '/api/security/events?kind=sql_injection&kind=xss',
        headers: await as(t.ctx, 'admin'),
      })
    ).json()
    const kinds = page.items.map((e: { kind: string }) => e.kind)
    expect(kinds).toEqual(expect.arrayContaining(['sql_injection', 'xss']))
    const sql = page.items.find((e: { kind: string }) => e.kind === 'sql_injection')
    expect(sql).toMatchObject({ ip: '198.51.100.1', method: 'GET', route: '/health/live' })
    expect(sql.pattern).toMatch(/^query: /)
    const xss = page.items.find((e: { kind: string }) => e.kind === 'xss')
    expect(xss.pattern).toMatch(/^body: /)
    expect(xss.sample).not.toContain('<')
    expect(page.countsLast24h.sql_injection).toBeGreaterThanOrEqual(1)
  })

  it('records 401 and 403 answers', async () => {
    await t.app.inject({ url: '/api/api-keys', remoteAddress: '198.51.100.2' })
    await t.app.inject({
      url: '/api/api-keys',
      remoteAddress: '198.51.100.2',
      headers: await as(t.ctx, 'viewer'),
    })
    // 401/403 events are stored after the answer has been sent: wait for them (bounded).
    const kinds = async () =>
      (await t.app.inject({ url: '/api/security/events?ip=198.51.100.2', headers: await as(t.ctx, 'admin') }))
        .json()
        .items.map((e: { kind: string }) => e.kind)
        .sort()
    let seen: string[] = await kinds()
    for (let i = 0; i < 50 && seen.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      seen = await kinds()
    }
    expect(seen).toEqual(['forbidden', 'unauthorized'])
    const metrics = (await t.app.inject({ url: '/api/metrics', headers: await as(t.ctx, 'viewer') })).json()
    expect(metrics.securityEventsLast24h.unauthorized).toBeGreaterThanOrEqual(1)
    expect(metrics.securityEventsLast24h.forbidden).toBeGreaterThanOrEqual(1)
  })
})

describe('SECURITY_BLOCK_ATTACKS=true', () => {
  it('refuses requests that match attack patterns with 400', async () => {
    const t = await buildTestApp({ start: false, env: { SECURITY_BLOCK_ATTACKS: 'true' } })
    try {
      const res = await t.app.inject({ url: '/health/live?file=../../etc/passwd' })
      expect(res.statusCode).toBe(400)
      expect(res.json().error.code).toBe('ATTACK_PATTERN')
      expect((await t.app.inject({ url: '/health/live?q=Gin %26 Tonic' })).statusCode).toBe(200)
      const body = await t.app.inject({
        method: 'POST',
        url: '/api/security/ip-blocks',
        headers: await as(t.ctx, 'admin'),
        payload: { cidr: '10.0.0.1', reason: "x'; DROP TABLE users; --" },
      })
      expect(body.statusCode).toBe(400)
      expect(body.json().error.code).toBe('ATTACK_PATTERN')
    } finally {
      await t.close()
    }
  })
})

describe('runtime log level', () => {
  it('changes the level, audits it, and returns to the configured level after the expiry', async () => {
    const clock = new TestClock()
    const t = await buildTestApp({ clock, start: false, env: { LOG_LEVEL: 'info' } })
    try {
      const headers = await as(t.ctx, 'admin')
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/admin/log-level',
        headers,
        payload: { level: 'debug', expiresInMinutes: 30 },
      })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ level: 'debug', configured: 'info' })
      expect(t.ctx.logger.level).toBe('debug')
      const audit = await t.ctx.db
        .selectFrom('audit_logs')
        .selectAll()
        .where('action', '=', 'log_level_change')
        .executeTakeFirstOrThrow()
      expect(audit.new_values).toMatchObject({ level: 'debug' })
      clock.advance(29 * 60_000)
      expireLogLevel(t.ctx)
      expect(t.ctx.logger.level).toBe('debug')
      clock.advance(60_000)
      expireLogLevel(t.ctx)
      expect(currentLogLevel(t.ctx)).toEqual({ level: 'info', configured: 'info', until: null })
      const bad = await t.app.inject({
        method: 'PUT',
        url: '/api/admin/log-level',
        headers,
        payload: { level: 'verbose' },
      })
      expect(bad.statusCode).toBe(400)
    } finally {
      await t.close()
    }
  })

  it.skipIf(!process.env.REDIS_URL)('reaches every replica through Redis', async () => {
    const a = await buildTestApp({ redis: true })
    const b = await buildTestApp({ redis: true })
    try {
      const before = b.ctx.logger.level
      const res = await a.app.inject({
        method: 'PUT',
        url: '/api/admin/log-level',
        headers: await as(a.ctx, 'admin'),
        payload: { level: 'trace' },
      })
      expect(res.statusCode).toBe(200)
      for (let i = 0; i < 50 && b.ctx.logger.level !== 'trace'; i++)
        await new Promise((r) => setTimeout(r, 100))
      expect(before).not.toBe('trace')
      expect(b.ctx.logger.level).toBe('trace')
    } finally {
      await a.close()
      await b.close()
    }
  })
})
