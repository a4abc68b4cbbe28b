import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'
import { recordMovement } from '../inventory/ledger.ts'
import { BUSINESS_EVENTS } from '../orders/events.ts'
import { Random } from './random.ts'
import { nextOrder, type SimCatalog, type SimulationOptions, simulate } from './simulate.ts'
import { type ApiCall, httpTarget } from './simulate-http.ts'
import { localTarget } from './simulate-local.ts'

const MINUTE = 60_000

/** Bounded runs on a test clock: the simulator's sleeps move the clock, nothing waits. */
describe('sentia simulate', () => {
  let t: TestApp
  const clock = new TestClock('2026-03-02T12:50:00Z')
  const events: { type: string }[] = []
  const deps = { clock, sleep: async (ms: number) => clock.advance(ms) }
  const options: SimulationOptions = {
    rate: 0.25,
    seed: 7,
    durationMs: 20 * MINUTE,
    tickMs: 10_000,
    productionEveryMs: MINUTE,
    batchMinutes: 5,
    downtimeChance: 0.5,
  }
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock })
    await insertCatalogAndRates(t.ctx)
    await t.ctx.db.transaction().execute(async (tx) => {
      for (const sku of ['BOTTLE-500', 'CAP-28', 'LABEL-SET', 'BASE-GABA'])
        await recordMovement(tx, {
          kind: 'receipt',
          sku,
          locationCode: 'FACTORY',
          quantity: 100_000,
          occurredAt: clock.now(),
          actor: 'test',
        })
    })
    t.ctx.bus.subscribe(BUSINESS_EVENTS, (message) => events.push(message as { type: string }))
  })
  afterAll(() => t.close())

  const count = (type: string) => events.filter((e) => e.type === type).length

  it('books orders, sessions and production through the services, and publishes their events', async () => {
    const report = await simulate(localTarget(t.ctx), options, deps)
    expect(report.seconds).toBe(1200)
    // 0.25 orders a second for 1,200 s: about 300 (Poisson)
    expect(report.orders).toBeGreaterThan(240)
    expect(report.orders).toBeLessThan(360)
    expect(report.refused).toEqual({})

    const orders = await t.ctx.db
      .selectFrom('orders')
      .select(['channel_code', 'status', 'total_base'])
      .where('external_id', 'like', 'sim-%')
      .execute()
    expect(orders).toHaveLength(report.orders)
    expect(new Set(orders.map((o) => o.channel_code)).size).toBe(6)
    expect(new Set(orders.map((o) => o.status))).toEqual(new Set(['pending', 'paid']))
    // priced from the catalog: no order below its cheapest bottle
    expect(Math.min(...orders.map((o) => Number(o.total_base)))).toBeGreaterThanOrEqual(29.99)
    const rollup = await t.ctx.db
      .selectFrom('order_totals_hourly')
      .select((eb) => eb.fn.sum<string>('orders').as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(rollup.n)).toBe(report.orders)
    const reserved = await t.ctx.db
      .selectFrom('stock_reservations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(reserved.n)).toBeGreaterThanOrEqual(report.orders)

    // sessions in both hours the run touched (12:50 → 13:10), summing to what it counted
    const sessions = await t.ctx.db.selectFrom('storefront_sessions').selectAll().execute()
    expect(new Set(sessions.map((s) => new Date(s.hour).toISOString()))).toEqual(
      new Set(['2026-03-02T12:00:00.000Z', '2026-03-02T13:00:00.000Z']),
    )
    expect(sessions.reduce((sum, s) => sum + s.visits, 0)).toBe(report.visits)
    expect(report.visits).toBeGreaterThan(report.orders * 5)

    const batches = await t.ctx.db.selectFrom('production_batches').select(['status', 'line_code']).execute()
    expect(batches).toHaveLength(report.batches.planned)
    expect(batches.filter((b) => b.status === 'completed')).toHaveLength(report.batches.completed)
    expect(report.batches.completed).toBeGreaterThanOrEqual(6)
    expect(batches.filter((b) => b.status === 'running')).toEqual([])
    const downtime = await t.ctx.db.selectFrom('production_downtime').select('minutes').execute()
    expect(downtime).toHaveLength(report.batches.downtimes)
    expect(report.batches.downtimes).toBeGreaterThan(0)

    expect(count('order.created')).toBe(report.orders)
    expect(count('production.changed')).toBeGreaterThan(report.batches.completed * 2)
    expect(count('stock.changed')).toBe(report.batches.completed)
  })

  it('adds to the visits already stored for the hour', async () => {
    const stored = await t.ctx.db
      .selectFrom('storefront_sessions')
      .select(['channel_code', 'visits'])
      .where('hour', '=', new Date('2026-03-02T13:00:00Z'))
      .execute()
    const before = stored.reduce((sum, s) => sum + s.visits, 0)
    const report = await simulate(localTarget(t.ctx), { ...options, durationMs: 2 * MINUTE }, deps)
    const after = await t.ctx.db
      .selectFrom('storefront_sessions')
      .select((eb) => eb.fn.sum<string>('visits').as('v'))
      .where('hour', '=', new Date('2026-03-02T13:00:00Z'))
      .executeTakeFirstOrThrow()
    expect(Number(after.v)).toBe(before + report.visits)
  })

  it('acts through the HTTP API with a manager key', async () => {
    const manager = await as(t.ctx, 'manager')
    const call: ApiCall = async (method, url, body) => {
      const res = await t.app.inject({
        method: method as 'GET',
        url,
        headers: manager,
        payload: body as object,
      })
      return { status: res.statusCode, body: res.json() }
    }
    const ordersBefore = count('order.created')
    const report = await simulate(httpTarget(call, clock), { ...options, durationMs: 5 * MINUTE }, deps)
    expect(report.orders).toBeGreaterThan(40)
    expect(report.refused).toEqual({})
    expect(count('order.created') - ordersBefore).toBe(report.orders)
    expect(report.batches.completed).toBeGreaterThan(0)
  })

  it('is deterministic for a seed', () => {
    const catalog: SimCatalog = {
      channels: [
        { code: 'shop', kind: 'shopify', market: 'UK', weight: 3 },
        { code: 'trade', kind: 'wholesale', market: 'UK', weight: 1 },
      ],
      products: [
        { sku: 'A', markets: ['UK'], weight: 2, hasBom: true },
        { sku: 'B', markets: ['UK'], weight: 1, hasBom: true },
      ],
      lines: [],
    }
    const run = (seed: number) => {
      const random = new Random(seed)
      return Array.from({ length: 50 }, (_, i) => nextOrder(random, catalog, `x-${i}`))
    }
    expect(run(3)).toEqual(run(3))
    expect(run(3)).not.toEqual(run(4))
    const trade = run(3).filter((o) => o.channel === 'trade')
    expect(trade.length).toBeGreaterThan(0)
    expect(trade.every((o) => o.lines.every((l) => l.quantity % 12 === 0))).toBe(true)
  })
})
