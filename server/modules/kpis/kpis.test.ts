import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { seedDemo } from '../demo/seed.ts'

const now = new Date('2026-11-30T12:00:00Z')

describe('KPIs', () => {
  let t: TestApp
  let viewer: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock(now) })
    viewer = await as(t.ctx, 'viewer')
  })
  afterAll(() => t.close())

  it('shows "no value" rather than 0 on an empty business', async () => {
    const res = await t.app.inject({ url: '/api/kpis/overview', headers: viewer })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.revenue.last7Days).toMatchObject({
      revenue: 0,
      orders: 0,
      averageOrderValue: null,
      revenueChange: null,
    })
    expect(body.grossMargin30Days).toBeNull()
    expect(body.conversion24Hours).toBeNull()
    expect(body.production7Days.oee).toBeNull()
    const capital = (await t.app.inject({ url: '/api/finance/working-capital', headers: viewer })).json()
    expect(capital).toMatchObject({ dio: null, dso: null, dpo: null, ccc: null })
  })

  it('equal the same figures computed from the raw orders', async () => {
    await seedDemo(t.ctx, { days: 40, scale: 1, seed: 5, now })
    const body = (await t.app.inject({ url: '/api/kpis/overview', headers: viewer })).json()
    // Orders by the hour they count in, as the hourly rollup keeps them: [from, to).
    const raw = async (fromMs: number, toMs = now.getTime()) => {
      const result = await sql<{ revenue: string; orders: string }>`
        select coalesce(sum(total_base), 0) as revenue, count(*) as orders from orders
        where status not in ('cancelled', 'refunded') and date_trunc('hour', placed_at) >= ${new Date(fromMs)}
          and date_trunc('hour', placed_at) < ${new Date(toMs)}`.execute(t.ctx.db)
      return { revenue: Number(result.rows[0]?.revenue), orders: Number(result.rows[0]?.orders) }
    }
    const week = await raw(now.getTime() - 7 * 86_400_000)
    expect(body.revenue.last7Days.revenue).toBeCloseTo(week.revenue, 2)
    expect(body.revenue.last7Days.orders).toBe(week.orders)
    expect(body.revenue.last7Days.averageOrderValue).toBeCloseTo(week.revenue / week.orders, 2)
    expect(body.revenue.last7Days.previous.orders).toBeGreaterThan(0)
    // Today is compared with yesterday up to the same hour, not with the evening before.
    const midnight = Date.parse('2026-11-30T00:00:00Z')
    const yesterday = await raw(midnight - 86_400_000, now.getTime() - 86_400_000)
    expect(yesterday.orders).toBeGreaterThan(0)
    expect(body.revenue.today.previous.orders).toBe(yesterday.orders)
    expect(body.revenue.today.previous.revenue).toBeCloseTo(yesterday.revenue, 2)
    const today = await raw(midnight)
    expect(body.revenue.today.revenueChange).toBeCloseTo(
      (today.revenue - yesterday.revenue) / yesterday.revenue,
      3,
    )
    expect(body.grossMargin30Days).toBeGreaterThan(0.3)
    expect(body.grossMargin30Days).toBeLessThan(0.9)
    expect(body.conversion24Hours).toBeGreaterThan(0.005)
    expect(body.conversion24Hours).toBeLessThan(0.2)
    expect(body.production7Days.batches).toBeGreaterThan(0)
    expect(body.production7Days.oee).toBeGreaterThan(0.5)
    expect(body.production7Days.oee).toBeLessThanOrEqual(1)

    const series = await t.app.inject({
      url: `/api/kpis/revenue?interval=day&by=market&from=${new Date(now.getTime() - 7 * 86_400_000).toISOString()}&to=${now.toISOString()}`,
      headers: viewer,
    })
    expect(series.statusCode).toBe(200)
    const points = series.json().points as { key: string; revenue: number }[]
    expect(new Set(points.map((p) => p.key))).toEqual(new Set(['UK', 'EU', 'USA']))
    expect(points.reduce((sum, p) => sum + p.revenue, 0)).toBeCloseTo(week.revenue, 1)

    const capital = (
      await t.app.inject({ url: '/api/finance/working-capital?days=30', headers: viewer })
    ).json()
    expect(capital.dio).toBeGreaterThan(0)
    expect(capital.ccc).toBeCloseTo(capital.dio + capital.dso - capital.dpo, 6)
  })

  it('refuses a reversed or too long range', async () => {
    const at = (from: string, to: string, interval = 'hour') =>
      t.app.inject({ url: `/api/kpis/revenue?interval=${interval}&from=${from}&to=${to}`, headers: viewer })
    expect((await at('2026-11-02T00:00:00Z', '2026-11-01T00:00:00Z')).statusCode).toBe(400)
    expect((await at('2020-01-01T00:00:00Z', '2026-11-01T00:00:00Z')).statusCode).toBe(400)
    expect((await t.app.inject({ url: '/api/kpis/overview' })).statusCode).toBe(401)
  })
})
