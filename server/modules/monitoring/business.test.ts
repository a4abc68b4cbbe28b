import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'
import type { AppContext } from '../../context.ts'
import { createUser } from '../auth/users.ts'
import { criticalItems } from '../inventory/planning.ts'
import { insertOrder } from '../orders/intake.ts'
import { changeStatus } from '../orders/service.ts'
import { writeSessions } from '../traffic/service.ts'
import { stopSampler } from './sampler.ts'
import { lastSeenAt, readSeries, sampleOnce } from './service.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const system = { type: 'system' as const, id: 'test' }
const PASSWORD = 'correct horse battery staple'

describe('business metrics', () => {
  let t: TestApp
  // better-auth stamps sessions with the wall clock, so this clock starts at the real time.
  const clock = new TestClock(new Date())
  const firstHour = Math.floor(clock.ms() / HOUR) * HOUR - 5 * HOUR
  const iso = (ms: number) => new Date(ms).toISOString()

  const order = (channel: string, placedAt: number, quantity = 1) =>
    insertOrder(
      t.ctx,
      t.ctx.db,
      { channel, placedAt: iso(placedAt), lines: [{ sku: 'GABA-RED', quantity }] },
      'api',
    )

  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock })
    await insertCatalogAndRates(t.ctx)
    await order('shopify-uk', firstHour + 10 * MINUTE)
    await order('shopify-uk', firstHour + 20 * MINUTE, 3)
    await order('shopify-uk', firstHour + 50 * MINUTE, 2)
    await order('amazon-uk', firstHour + 30 * MINUTE)
    await order('shopify-uk', firstHour + 2 * HOUR + 5 * MINUTE)
    const cancelled = await order('shopify-uk', firstHour + 4 * HOUR + MINUTE)
    await t.ctx.db.transaction().execute((tx) => changeStatus(t.ctx, tx, cancelled.id, 'cancelled', system))
    await writeSessions(t.ctx, {
      items: [
        { channel: 'shopify-uk', hour: iso(firstHour), visits: 100 },
        { channel: 'shopify-uk', hour: iso(firstHour + 2 * HOUR), visits: 50 },
      ],
    })
  })
  afterAll(() => t.close())

  const hours = (from: number, to: number, name: string, stepSeconds = 3600) =>
    readSeries(t.ctx, { name, from: new Date(from), to: new Date(to), stepSeconds })

  it('revenue and orders per hour equal the hourly rollup and the raw orders, 0 in hours without orders', async () => {
    const rollup = await sql<{ hour: Date; revenue: string; orders: string }>`
      select hour, sum(revenue_base) as revenue, sum(orders) as orders from order_totals_hourly group by hour`.execute(
      t.ctx.db,
    )
    const raw = await sql<{ hour: Date; revenue: string; orders: string }>`
      select date_trunc('hour', placed_at) as hour, sum(total_base) as revenue, count(*) as orders from orders
      where status not in ('cancelled', 'refunded') group by 1`.execute(t.ctx.db)
    const byHour = (rows: { hour: Date; revenue: string; orders: string }[]) =>
      new Map(
        rows.map((r) => [
          new Date(r.hour).getTime(),
          { revenue: Number(r.revenue), orders: Number(r.orders) },
        ]),
      )
    const fromRollup = byHour(rollup.rows)
    const fromOrders = byHour(raw.rows)

    const revenue = await hours(firstHour - 2 * HOUR, clock.ms(), 'revenue_per_hour')
    const orders = await hours(firstHour - 2 * HOUR, clock.ms(), 'orders_per_hour')
    expect(revenue.unit).toBe('GBP/h')
    // Nothing before the first order; every hour from it to now, 0 where none were booked.
    expect(revenue.points.map((p) => p.at)).toEqual([0, 1, 2, 3, 4, 5].map((h) => iso(firstHour + h * HOUR)))
    for (const point of revenue.points) {
      const at = Date.parse(point.at)
      expect(point.value).toBeCloseTo(fromRollup.get(at)?.revenue ?? 0, 2)
      expect(point.value).toBeCloseTo(fromOrders.get(at)?.revenue ?? 0, 2)
    }
    expect(revenue.points[0]!.value).toBeGreaterThan(0)
    expect(revenue.points[4]!.value).toBe(0) // its only order was cancelled
    expect(orders.points.map((p) => p.value)).toEqual([4, 0, 1, 0, 0, 0])

    // Per hour over a longer bucket: the bucket's total over its hours.
    const day = Math.floor(firstHour / 86_400_000) * 86_400_000
    const daily = await hours(day, day + 86_400_000, 'orders_per_hour', 86_400)
    const ordersThatDay = [...fromOrders].filter(([at]) => at >= day && at < day + 86_400_000)
    expect(daily.points[0]!.value).toBeCloseTo(
      ordersThatDay.reduce((sum, [, v]) => sum + v.orders, 0) / 24,
      4,
    )

    expect(await lastSeenAt(t.ctx, 'revenue_per_hour')).toEqual(new Date(firstHour + 4 * HOUR + MINUTE))
  })

  it('conversion is storefront orders over storefront sessions in the trailing 24 hours, as the overview has it', async () => {
    const series = await hours(firstHour - 2 * HOUR, clock.ms(), 'conversion_rate')
    // Amazon has no storefront sessions, so its order is not counted.
    expect(series.points.map((p) => [p.at, p.value])).toEqual([
      [iso(firstHour), 3],
      [iso(firstHour + HOUR), 3],
      [iso(firstHour + 2 * HOUR), Math.round((400 / 150) * 10_000) / 10_000],
      [iso(firstHour + 3 * HOUR), Math.round((400 / 150) * 10_000) / 10_000],
      [iso(firstHour + 4 * HOUR), Math.round((400 / 150) * 10_000) / 10_000],
      [iso(firstHour + 5 * HOUR), Math.round((400 / 150) * 10_000) / 10_000],
    ])
    const overview = await t.app.inject({ url: '/api/kpis/overview', headers: await as(t.ctx, 'viewer') })
    expect(series.points.at(-1)!.value / 100).toBeCloseTo(overview.json().conversion24Hours, 4)
    expect(await lastSeenAt(t.ctx, 'conversion_rate')).toEqual(new Date(firstHour + 2 * HOUR))
  })

  it('active users: distinct people whose session was used in the last 15 minutes, sampled once a minute', async () => {
    const ids: Record<string, string> = {}
    for (const name of ['ann', 'bob', 'cat', 'dan', 'eve']) {
      ids[name] = (
        await createUser(
          t.ctx,
          { email: `${name}@example.com`, name, role: 'viewer', password: PASSWORD },
          system,
        )
      ).id
    }
    // Ann signs in for real: better-auth writes her session.
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: 'ann@example.com', password: PASSWORD },
    })
    expect(signIn.statusCode).toBe(200)
    const now = clock.ms()
    const session = (user: string, usedAgo: number, expiresIn = HOUR) => ({
      id: randomUUID(),
      user_id: ids[user]!,
      token: randomUUID(),
      expires_at: new Date(now + expiresIn),
      created_at: new Date(now - 2 * HOUR),
      updated_at: new Date(now - usedAgo),
    })
    await t.ctx.db.updateTable('users').set({ disabled: true }).where('id', '=', ids.dan!).execute()
    await t.ctx.db
      .insertInto('sessions')
      .values([
        session('bob', 3 * MINUTE), // two sessions, one person
        session('bob', 14 * MINUTE),
        session('cat', 16 * MINUTE), // not used for 16 minutes
        session('dan', MINUTE), // disabled
        session('eve', MINUTE, -MINUTE), // expired
      ])
      .execute()

    await sampleOnce(t.ctx)
    const read = () =>
      readSeries(t.ctx, {
        name: 'active_users',
        from: new Date(now - 5 * MINUTE),
        to: new Date(now + 5 * MINUTE),
        stepSeconds: 60,
      })
    expect((await read()).points).toEqual([{ at: iso(Math.floor(now / MINUTE) * MINUTE), value: 2 }])

    // Another replica in the same minute finds the minute claimed; in the next one it takes it.
    const other: AppContext = { ...t.ctx, instanceId: randomUUID() }
    const stored = async () =>
      (
        await t.ctx.db
          .selectFrom('metric_samples')
          .select('value')
          .where('name', '=', 'active_users')
          .execute()
      ).length
    await sampleOnce(other)
    expect(await stored()).toBe(1)
    clock.advance(MINUTE)
    await sampleOnce(other)
    await sampleOnce(t.ctx)
    expect(await stored()).toBe(2)
    await stopSampler(other)
    expect(await lastSeenAt(t.ctx, 'active_users')).toEqual(clock.now())
  })

  it('critical inventory items: the count inventory planning reports', async () => {
    const expected = (await criticalItems(t.ctx, { windowDays: 56 })).length
    expect(expected).toBeGreaterThan(0) // orders reserved stock that is not there
    const series = await readSeries(t.ctx, {
      name: 'critical_inventory_items',
      from: new Date(clock.ms() - 5 * MINUTE),
      to: new Date(clock.ms() + MINUTE),
      stepSeconds: 60,
    })
    expect(series.points.map((p) => p.value)).toEqual([expected, expected])
  })
})
