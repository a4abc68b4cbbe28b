import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import type { OrderStatus } from '../../platform/db/schema.ts'
import { DEMO_CATALOG } from '../demo/catalog.ts'
import { insertOrder } from './intake.ts'
import { changeStatus } from './service.ts'

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
}

const cents = (value: number) => Math.round(value * 100) / 100
const hourOf = (at: Date) => Math.floor(at.getTime() / 3_600_000) * 3_600_000

describe('rollups', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ start: false })
    await insertCatalogAndRates(t.ctx, { EUR: 0.8571, USD: 0.7893 })
  })
  afterAll(() => t.close())

  it('equal the same figures computed from the raw orders after random creates, cancels and refunds', async () => {
    const next = random(42)
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T
    const finished = DEMO_CATALOG.products.filter((p) => p.kind === 'finished').map((p) => p.sku)
    const ids: string[] = []
    for (let i = 0; i < 120; i++) {
      const placedAt = new Date(
        Date.UTC(2026, 2, 1 + Math.floor(next() * 3), Math.floor(next() * 24), Math.floor(next() * 60)),
      )
      const lines = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
        sku: pick(finished),
        quantity: 1 + Math.floor(next() * 5),
      }))
      const order = await insertOrder(
        t.ctx,
        t.ctx.db,
        { channel: pick(DEMO_CATALOG.channels).code, placedAt: placedAt.toISOString(), lines },
        'api',
      )
      ids.push(order.id)
    }
    const paths: OrderStatus[][] = [
      [],
      ['cancelled'],
      ['paid'],
      ['paid', 'refunded'],
      ['paid', 'fulfilled', 'refunded'],
      ['paid', 'cancelled'],
    ]
    for (const id of ids) {
      for (const status of pick(paths)) {
        await t.ctx.db.transaction().execute(async (tx) => {
          // fulfilment needs stock on hand: the test does not care about levels here
          if (status === 'fulfilled') {
            const lines = await tx
              .selectFrom('order_lines')
              .innerJoin('orders', 'orders.id', 'order_lines.order_id')
              .select(['sku', 'quantity', 'location_code'])
              .where('order_id', '=', id)
              .execute()
            const { recordMovement } = await import('../inventory/ledger.ts')
            for (const line of lines)
              await recordMovement(tx, {
                kind: 'receipt',
                sku: line.sku,
                locationCode: line.location_code,
                quantity: line.quantity,
                occurredAt: new Date(),
                actor: 'test',
              })
          }
          await changeStatus(t.ctx, tx, id, status, { type: 'system', id: 'test' })
        })
      }
    }

    const orders = await t.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('status', 'not in', ['cancelled', 'refunded'])
      .execute()
    const lines = await t.ctx.db.selectFrom('order_lines').selectAll().execute()
    const counted = new Map(orders.map((o) => [o.id, o]))
    expect(counted.size).toBeGreaterThan(20)
    expect(counted.size).toBeLessThan(ids.length)

    const expectedTotals = new Map<string, { orders: number; revenue: number }>()
    for (const o of orders) {
      const key = `${hourOf(new Date(o.placed_at))}|${o.channel_code}|${o.market_code}`
      const sum = expectedTotals.get(key) ?? { orders: 0, revenue: 0 }
      sum.orders += 1
      sum.revenue = cents(sum.revenue + Number(o.total_base))
      expectedTotals.set(key, sum)
    }
    const expectedSales = new Map<
      string,
      { orders: Set<string>; units: number; revenue: number; cost: number }
    >()
    for (const line of lines) {
      const o = counted.get(line.order_id)
      if (!o) continue
      const key = `${hourOf(new Date(o.placed_at))}|${o.channel_code}|${o.market_code}|${line.sku}`
      const sum = expectedSales.get(key) ?? { orders: new Set(), units: 0, revenue: 0, cost: 0 }
      sum.orders.add(o.id)
      sum.units += line.quantity
      sum.revenue = cents(sum.revenue + cents(line.quantity * Number(line.unit_price) * Number(o.fx_rate)))
      sum.cost = cents(sum.cost + cents(line.quantity * Number(line.unit_cost)))
      expectedSales.set(key, sum)
    }

    const totals = await t.ctx.db
      .selectFrom('order_totals_hourly')
      .selectAll()
      .where('orders', '<>', 0)
      .execute()
    expect(
      new Map(
        totals.map((r) => [
          `${new Date(r.hour).getTime()}|${r.channel_code}|${r.market_code}`,
          { orders: r.orders, revenue: Number(r.revenue_base) },
        ]),
      ),
    ).toEqual(expectedTotals)

    const hourly = await t.ctx.db.selectFrom('sales_hourly').selectAll().where('orders', '<>', 0).execute()
    const flatten = (m: typeof expectedSales) =>
      new Map(
        [...m].map(([k, v]) => [
          k,
          { orders: v.orders.size, units: v.units, revenue: v.revenue, cost: v.cost },
        ]),
      )
    expect(
      new Map(
        hourly.map((r) => [
          `${new Date(r.hour).getTime()}|${r.channel_code}|${r.market_code}|${r.sku}`,
          { orders: r.orders, units: r.units, revenue: Number(r.revenue_base), cost: Number(r.cost_base) },
        ]),
      ),
    ).toEqual(flatten(expectedSales))

    // the daily rollup is the hourly one summed by UTC day
    const daily = await t.ctx.db.selectFrom('sales_daily').selectAll().where('orders', '<>', 0).execute()
    const byDay = new Map<string, { units: number; revenue: number }>()
    for (const r of hourly) {
      const key = `${new Date(r.hour).toISOString().slice(0, 10)}|${r.channel_code}|${r.market_code}|${r.sku}`
      const sum = byDay.get(key) ?? { units: 0, revenue: 0 }
      sum.units += r.units
      sum.revenue = cents(sum.revenue + Number(r.revenue_base))
      byDay.set(key, sum)
    }
    expect(
      new Map(
        daily.map((r) => [
          `${new Date(r.day).toISOString().slice(0, 10)}|${r.channel_code}|${r.market_code}|${r.sku}`,
          { units: r.units, revenue: Number(r.revenue_base) },
        ]),
      ),
    ).toEqual(byDay)

    // the ledger's daily net movements are the raw movements summed by UTC day × SKU × location × kind
    const raw = await sql<{ key: string; quantity: number }>`
      select concat_ws('|', (occurred_at at time zone 'UTC')::date, sku, location_code, kind) as key,
             sum(quantity)::int as quantity
      from stock_movements group by 1`.execute(t.ctx.db)
    const stockDaily = await t.ctx.db.selectFrom('stock_daily').selectAll().execute()
    expect(raw.rows.length).toBeGreaterThan(5)
    expect(
      new Map(stockDaily.map((r) => [[r.day, r.sku, r.location_code, r.kind].join('|'), r.quantity])),
    ).toEqual(new Map(raw.rows.map((r) => [r.key, r.quantity])))
  })
})
