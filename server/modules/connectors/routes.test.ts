import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'

/** Who may call the connector routes, and what they refuse. */

describe('connector routes', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ start: false })
    await t.ctx.jobs.start({ work: false, schedule: false }, () => t.ctx)
  })
  afterAll(() => t.close())

  it('let managers read and sync, only admins switch the breaker, and nobody without a key', async () => {
    const cases: [string, string, string | null, number][] = [
      ['GET', '/api/connectors', null, 401],
      ['GET', '/api/connectors', 'viewer', 403],
      ['GET', '/api/connectors', 'operator', 403],
      ['GET', '/api/connectors', 'manager', 200],
      ['GET', '/api/connectors/shopify', 'operator', 403],
      ['POST', '/api/connectors/shopify/sync', 'operator', 403],
      ['POST', '/api/connectors/shopify/breaker', 'viewer', 403],
      ['POST', '/api/connectors/shopify/breaker', 'manager', 403],
      ['POST', '/api/connectors/shopify/breaker', 'admin', 200],
    ]
    for (const [method, url, role, expected] of cases) {
      const res = await t.app.inject({
        method: method as 'GET' | 'POST',
        url,
        headers: role ? await as(t.ctx, role as 'viewer') : {},
        ...(method === 'POST' ? { payload: url.endsWith('breaker') ? { state: 'open' } : {} } : {}),
      })
      expect(res.statusCode, `${role} ${method} ${url}`).toBe(expected)
    }
    const declared = t.app.routeTable
      .filter((route) => route.url.startsWith('/api/connectors') && route.method !== 'HEAD')
      .map((route) => `${route.method} ${route.url} ${route.access}`)
    expect(declared.sort()).toEqual([
      'GET /api/connectors manager',
      'GET /api/connectors/:name manager',
      'POST /api/connectors/:name/breaker admin',
      'POST /api/connectors/:name/sync manager',
    ])
  })

  it('refuses a bad breaker state and a bad time', async () => {
    const admin = await as(t.ctx, 'admin')
    const state = await t.app.inject({
      method: 'POST',
      url: '/api/connectors/shopify/breaker',
      headers: admin,
      payload: { state: 'halfOpen' },
    })
    expect(state.statusCode).toBe(400)
    const since = await t.app.inject({
      method: 'POST',
      url: '/api/connectors/shopify/sync',
      headers: admin,
      payload: { since: 'yesterday' },
    })
    expect(since.statusCode).toBe(400)
    expect(since.json().error.code).toBe('VALIDATION_FAILED')
  })
})
