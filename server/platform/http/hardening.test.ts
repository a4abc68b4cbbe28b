import { randomInt } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { as, buildTestApp } from '../../../test/app.ts'
import { apiHeaders, documentHeaders } from './hardening.ts'

describe('security headers', () => {
  it('sends the REST set on JSON and the document set with a same-origin CSP on HTML', async () => {
    const page = (app: FastifyInstance) => {
      app.get('/probe/page', { config: { access: 'public' } }, async (_request, reply) =>
        reply.type('text/html; charset=utf-8').send('<!doctype html><title>probe</title>'),
      )
    }
    const t = await buildTestApp({ start: false, plugins: [page] })
    try {
      const json = await t.app.inject({ url: '/health/live' })
      expect(json.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'")
      expect(json.headers['x-content-type-options']).toBe('nosniff')
      expect(json.headers['x-frame-options']).toBe('DENY')
      expect(json.headers['referrer-policy']).toBe('no-referrer')
      expect(json.headers['cross-origin-opener-policy']).toBeUndefined()
      expect(json.headers['strict-transport-security']).toBeUndefined()

      const html = await t.app.inject({ url: '/probe/page' })
      expect(html.statusCode).toBe(200)
      expect(html.headers['content-type']).toContain('text/html')
      expect(html.headers['content-security-policy']).toContain("default-src 'self'")
      expect(html.headers['content-security-policy']).toContain("frame-ancestors 'none'")
      expect(html.headers['x-frame-options']).toBe('SAMEORIGIN')
      expect(html.headers['cross-origin-opener-policy']).toBe('same-origin')
      expect(html.headers['x-content-type-options']).toBe('nosniff')
    } finally {
      await t.close()
    }
  })

  it('adds HSTS in production only', () => {
    expect(apiHeaders(true)['strict-transport-security']).toContain('max-age=')
    expect(documentHeaders(true)['strict-transport-security']).toContain('max-age=')
    expect(apiHeaders(false)['strict-transport-security']).toBeUndefined()
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
