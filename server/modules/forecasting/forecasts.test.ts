import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { insertDemoCatalog } from '../demo/catalog.ts'

const now = new Date('2026-11-30T12:00:00Z')
const DAY = 86_400_000

describe('GET /api/forecasts', () => {
  let t: TestApp
  let viewer: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock(now) })
    await insertDemoCatalog(t.ctx.db)
    viewer = await as(t.ctx, 'viewer')
    // eight weeks of a clean weekly pattern on one channel: 10 on weekdays, 30 at weekends
    const rows = []
    for (let d = 56; d >= 1; d--) {
      const day = new Date(Math.floor(now.getTime() / DAY) * DAY - d * DAY)
      const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6
      rows.push({
        day: day.toISOString().slice(0, 10),
        channel_code: 'shopify-uk',
        market_code: 'UK',
        sku: 'GABA-RED',
        orders: 1,
        units: weekend ? 30 : 10,
      })
    }
    await t.ctx.db.insertInto('sales_daily').values(rows).execute()
  })
  afterAll(() => t.close())

  it('forecasts a weekly pattern with Holt-Winters, a near-zero backtest error and dated points', async () => {
    const res = await t.app.inject({
      url: '/api/forecasts?sku=GABA-RED&channel=shopify-uk&horizon=7',
      headers: viewer,
    })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.model).toBe('holt-winters')
    expect(body.historyDays).toBe(56)
    // the history the model was fitted on comes back with it, day by day up to yesterday
    expect(body.history).toHaveLength(56)
    expect(body.history[0].day).toBe('2026-10-05')
    expect(body.history.at(-1).day).toBe('2026-11-29')
    for (const { day, units } of body.history)
      expect(units).toBe([0, 6].includes(new Date(day).getUTCDay()) ? 30 : 10)
    expect(body.points).toHaveLength(7)
    expect(body.points[0].day).toBe('2026-11-30')
    for (const point of body.points) {
      const weekend = [0, 6].includes(new Date(point.day).getUTCDay())
      expect(point.value).toBeCloseTo(weekend ? 30 : 10, 0)
      expect(point.lower).toBeLessThanOrEqual(point.value)
      expect(point.upper).toBeGreaterThanOrEqual(point.value)
    }
    expect(body.backtest.wape).toBeLessThan(0.05)
  })

  it('says which model a short or empty history gets, and refuses unknown products', async () => {
    const other = await t.app.inject({ url: '/api/forecasts?sku=GABA-GOLD', headers: viewer })
    expect(other.json()).toMatchObject({ historyDays: 0, model: 'naive', history: [] })
    expect(other.json().points.every((p: { value: number }) => p.value === 0)).toBe(true)
    expect((await t.app.inject({ url: '/api/forecasts?sku=NOPE', headers: viewer })).statusCode).toBe(404)
    expect(
      (await t.app.inject({ url: '/api/forecasts?sku=GABA-RED&horizon=0', headers: viewer })).statusCode,
    ).toBe(400)
    expect((await t.app.inject({ url: '/api/forecasts?sku=GABA-RED' })).statusCode).toBe(401)
  })
})
