import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/app.ts'
import { generateDemo } from './generate.ts'
import { seedDemo } from './seed.ts'

const now = new Date('2026-11-30T12:00:00Z')

describe('demo data', () => {
  it('is the same for a seed and differs between seeds', () => {
    const a = generateDemo({ days: 30, scale: 1, seed: 7, now })
    const b = generateDemo({ days: 30, scale: 1, seed: 7, now })
    const c = generateDemo({ days: 30, scale: 1, seed: 8, now })
    expect(a.orders.length).toBe(b.orders.length)
    expect(a.orders.slice(0, 50)).toEqual(b.orders.slice(0, 50))
    expect(c.orders.slice(0, 50)).not.toEqual(a.orders.slice(0, 50))
  })

  it('has weekly seasonality, growth with scale, and no order after now', () => {
    const rows = generateDemo({ days: 140, scale: 1, seed: 3, now })
    const byWeekday = Array.from({ length: 7 }, () => 0)
    for (const o of rows.orders) byWeekday[new Date(o.placed_at as Date).getUTCDay()]! += 1
    expect(byWeekday[6]).toBeGreaterThan(byWeekday[1]! * 1.1) // Saturday busier than Monday
    expect(rows.orders.every((o) => new Date(o.placed_at as Date) < now)).toBe(true)
    const scaled = generateDemo({ days: 14, scale: 3, seed: 3, now })
    const plain = generateDemo({ days: 14, scale: 1, seed: 3, now })
    expect(scaled.orders.length).toBeGreaterThan(plain.orders.length * 2.5)
  })

  describe('seeded into the database', () => {
    let t: TestApp
    beforeAll(async () => {
      t = await buildTestApp({ start: false })
    })
    afterAll(() => t.close())

    it('loads a consistent business: stock never below zero, levels equal the ledger, orders with lines', async () => {
      const report = await seedDemo(t.ctx, { days: 60, scale: 1, seed: 11, now })
      expect(report.orders).toBeGreaterThan(1000)
      expect(report.batches).toBeGreaterThan(10)

      // the running balance of every product at every location never goes negative
      const negative = await sql<{ n: string }>`
        select count(*) as n from (
          select sum(quantity) over (partition by sku, location_code order by occurred_at, id) as balance
          from stock_movements
        ) s where balance < 0`.execute(t.ctx.db)
      expect(Number(negative.rows[0]?.n)).toBe(0)

      const mismatched = await sql<{ n: string }>`
        select count(*) as n from stock_levels l
        full join (select sku, location_code, sum(quantity) as q from stock_movements group by 1, 2) m
          using (sku, location_code)
        where coalesce(l.on_hand, 0) <> coalesce(m.q, 0)`.execute(t.ctx.db)
      expect(Number(mismatched.rows[0]?.n)).toBe(0)

      const orphans = await sql<{ n: string }>`
        select count(*) as n from orders o where not exists (select 1 from order_lines l where l.order_id = o.id)`.execute(
        t.ctx.db,
      )
      expect(Number(orphans.rows[0]?.n)).toBe(0)

      const statuses = await t.ctx.db.selectFrom('orders').select('status').distinct().execute()
      expect(statuses.map((s) => s.status).sort()).toEqual([
        'cancelled',
        'fulfilled',
        'paid',
        'pending',
        'refunded',
      ])
      const sessions = await t.ctx.db
        .selectFrom('storefront_sessions')
        .select((eb) => eb.fn.sum<string>('visits').as('v'))
        .executeTakeFirstOrThrow()
      expect(Number(sessions.v)).toBeGreaterThan(report.orders * 5)

      await expect(seedDemo(t.ctx, { days: 5, scale: 1, seed: 1, now })).rejects.toThrow(
        /already has business data/,
      )
    })
  })
})
