import { randomInt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { as, buildTestApp } from '../../../test/app.ts'

describe('security headers', () => {
  it('sends a same-origin CSP and the usual hardening headers', async () => {
    const t = await buildTestApp({ start: false })
    try {
      const res = await t.app.inject({ url: '/health/live' })
      expect(res.headers['content-security-policy']).toContain("default-src 'self'")
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'")
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
      expect(res.headers['strict-transport-security']).toBeUndefined()
    } finally {
      await t.close()
    }
  })
})

describe('rate limits', () => {
  it('limits each API key per minute, answers 429 in the error shape, and exempts health checks', async () => {
    const t = await buildTestApp({ start: false, env: { RATE_LIMIT_PER_MINUTE: '5' } })
    try {
      const viewer = await as(t.ctx, 'viewer')
      for (let i = 0; i < 5; i++)
        expect((await t.app.inject({ url: '/api/metrics', headers: viewer })).statusCode).toBe(200)
      const limited = await t.app.inject({ url: '/api/metrics', headers: viewer })
      expect(limited.statusCode).toBe(429)
      expect(limited.json().error.code).toBe('RATE_LIMITED')
      expect(limited.json().error.message).toContain('5 per minute')
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
      // another key has its own budget
      expect(
        (await t.app.inject({ url: '/api/metrics', headers: await as(t.ctx, 'operator') })).statusCode,
      ).toBe(200)
      for (let i = 0; i < 20; i++) expect((await t.app.inject({ url: '/health/live' })).statusCode).toBe(200)
    } finally {
      await t.close()
    }
  })

  it.skipIf(!process.env.REDIS_URL)('shares the budget between replicas through Redis', async () => {
    const a = await buildTestApp({ start: false, redis: true, env: { RATE_LIMIT_PER_MINUTE: '4' } })
    const b = await buildTestApp({ start: false, redis: true, env: { RATE_LIMIT_PER_MINUTE: '4' } })
    try {
      const ip = `198.18.${randomInt(0, 255)}.${randomInt(1, 254)}`
      const hit = (app: typeof a.app) => app.inject({ url: '/docs/json', remoteAddress: ip })
      // wait until both connections are up, so the budget is really the shared one
      for (let i = 0; i < 50 && (a.ctx.redis?.status !== 'ready' || b.ctx.redis?.status !== 'ready'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const statuses = [
        await hit(a.app),
        await hit(b.app),
        await hit(a.app),
        await hit(b.app),
        await hit(a.app),
      ].map((r) => r.statusCode)
      expect(statuses).toEqual([200, 200, 200, 200, 429])
    } finally {
      await a.close()
      await b.close()
    }
  })
})
