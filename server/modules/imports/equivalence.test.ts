import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'
import type { OrderStatus } from '../../platform/db/schema.ts'
import { rebuildDerived } from '../demo/seed.ts'
import { recordMovement } from '../inventory/ledger.ts'

/**
 * The set-based import path against the per-order API path: the same orders booked through
 * POST /api/orders (then PATCHed to their status) in one database and imported from CSV in
 * another leave the same orders, lines, reservations, stock levels, ledger, daily stock and
 * rollups; and the imported rollups equal the figures rebuilt from the raw rows.
 */

function random(seed: number) {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
}

interface Spec {
  externalId: string
  channel: string
  market?: string
  currency?: string
  location?: string
  placedAt: string
  status: OrderStatus
  shipping?: number
  tax?: number
  lines: { sku: string; quantity: number; unitPrice?: number }[]
}

/** The shortest allowed way from pending to each status (orders/service.ts NEXT). */
const PATH: Record<OrderStatus, OrderStatus[]> = {
  pending: [],
  paid: ['paid'],
  fulfilled: ['paid', 'fulfilled'],
  cancelled: ['cancelled'],
  refunded: ['paid', 'refunded'],
}

function orders(count: number): Spec[] {
  const next = random(7)
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T
  const channels = ['shopify-uk', 'shopify-eu', 'shopify-usa', 'amazon-uk', 'amazon-usa', 'wholesale']
  const statuses: OrderStatus[] = ['pending', 'paid', 'fulfilled', 'fulfilled', 'cancelled', 'refunded']
  return Array.from({ length: count }, (_, i) => {
    const placedAt = new Date(
      Date.UTC(2026, 2, 1 + Math.floor(next() * 4), Math.floor(next() * 24), Math.floor(next() * 60)),
    )
    const spec: Spec = {
      externalId: `EQ-${i}`,
      channel: pick(channels),
      placedAt: placedAt.toISOString(),
      status: pick(statuses),
      lines: Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
        sku: pick(['GABA-RED', 'GABA-BLACK', 'GABA-GOLD']),
        quantity: 1 + Math.floor(next() * 4),
        ...(next() < 0.3 ? { unitPrice: Math.round(next() * 5000) / 100 } : {}),
      })),
    }
    if (next() < 0.3) spec.shipping = Math.round(next() * 900) / 100
    if (next() < 0.2) spec.tax = Math.round(next() * 900) / 100
    if (spec.channel === 'wholesale' && next() < 0.5) spec.currency = 'EUR'
    if (spec.channel === 'shopify-uk' && next() < 0.3) spec.location = 'EU-3PL'
    if (spec.channel === 'amazon-uk' && next() < 0.3) spec.market = 'EU'
    return spec
  })
}

const csvOf = (specs: Spec[]) =>
  [
    'external_id,channel,market,currency,location,placed_at,status,sku,quantity,unit_price,shipping,tax',
    ...specs.flatMap((o) =>
      o.lines.map((l) =>
        [
          o.externalId,
          o.channel,
          o.market ?? '',
          o.currency ?? '',
          o.location ?? '',
          o.placedAt,
          o.status,
          l.sku,
          l.quantity,
          l.unitPrice ?? '',
          o.shipping ?? '',
          o.tax ?? '',
        ].join(','),
      ),
    ),
  ].join('\n')

/** Everything an order leaves behind, keyed so that the two databases can be compared. */
async function state(t: TestApp) {
  const db = t.ctx.db
  const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(db)).rows
  return {
    orders:
      await rows(sql`select external_id, channel_code, market_code, currency, status, placed_at, subtotal,
      tax, shipping, total, fx_rate, total_base, location_code from orders order by external_id`),
    lines: await rows(sql`select o.external_id, l.line_no, l.sku, l.quantity, l.unit_price, l.unit_cost
      from order_lines l join orders o on o.id = l.order_id order by 1, 2`),
    reservations: await rows(sql`select o.external_id, r.sku, r.location_code, r.quantity
      from stock_reservations r join orders o on o.id = r.order_id order by 1, 2, 3`),
    levels: await rows(sql`select sku, location_code, on_hand, reserved from stock_levels order by 1, 2`),
    movements: await rows(sql`select m.kind, m.sku, m.location_code, m.quantity, m.occurred_at,
      coalesce(o.external_id, m.reference_id) as reference
      from stock_movements m left join orders o on o.id = m.reference_id order by 6, 2, 1, 3, 5, 4`),
    stockDaily: await rows(sql`select * from stock_daily order by 1, 2, 3, 4`),
    totals: await rows(sql`select * from order_totals_hourly order by 1, 2, 3`),
    hourly: await rows(sql`select * from sales_hourly order by 1, 2, 3, 4`),
    daily: await rows(sql`select * from sales_daily order by 1, 2, 3, 4`),
  }
}

describe('CSV order import and the orders API', () => {
  const specs = orders(80)
  const apps: TestApp[] = []
  let viaApi: TestApp
  let viaCsv: TestApp
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const t = await buildTestApp({ start: false, clock: new TestClock('2026-03-31T12:00:00Z') })
      await insertCatalogAndRates(t.ctx, { EUR: 0.8571, USD: 0.7893 })
      await t.ctx.db.transaction().execute(async (tx) => {
        for (const sku of ['GABA-RED', 'GABA-BLACK', 'GABA-GOLD'])
          for (const location of ['UK-WH', 'EU-3PL', 'US-3PL'])
            await recordMovement(tx, {
              kind: 'receipt',
              sku,
              locationCode: location,
              quantity: 200,
              occurredAt: new Date('2026-02-20T08:00:00Z'),
              reference: { type: 'manual', id: 'opening' },
              actor: 'test',
            })
      })
      apps.push(t)
    }
    ;[viaApi, viaCsv] = apps as [TestApp, TestApp]
  })
  afterAll(async () => {
    for (const t of apps) await t.close()
  })

  it('leaves the same stored state', async () => {
    const operator = await as(viaApi.ctx, 'operator')
    for (const spec of specs) {
      const { status, placedAt, externalId, ...rest } = spec
      const created = await viaApi.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: operator,
        payload: { ...rest, externalId, placedAt },
      })
      expect(created.statusCode, created.body).toBe(201)
      for (const step of PATH[status]) {
        const moved = await viaApi.app.inject({
          method: 'PATCH',
          url: `/api/orders/${created.json().id}`,
          headers: operator,
          payload: { status: step },
        })
        expect(moved.statusCode, moved.body).toBe(200)
      }
    }

    const imported = await viaCsv.app.inject({
      method: 'POST',
      url: '/api/imports/orders?batchSize=7',
      headers: { 'content-type': 'text/csv', ...(await as(viaCsv.ctx, 'operator')) },
      payload: csvOf(specs),
    })
    expect(imported.statusCode, imported.body).toBe(200)
    expect(imported.json()).toMatchObject({ status: 'succeeded', created: specs.length, errorCount: 0 })
    expect(imported.json().batches.committed).toBeGreaterThan(5)

    const api = await state(viaApi)
    const csv = await state(viaCsv)
    expect(new Set(specs.map((s) => s.status)).size).toBe(5)
    expect(api.movements.some((m) => (m as { kind: string }).kind === 'sale')).toBe(true)
    expect(csv).toEqual(api)
  })

  it('keeps the rollups equal to the figures rebuilt from the raw rows', async () => {
    const nonZero = async () => {
      const s = await state(viaCsv)
      const keep = (rows: unknown[]) => rows.filter((r) => Number((r as { orders: number }).orders) !== 0)
      return {
        totals: keep(s.totals),
        hourly: keep(s.hourly),
        daily: keep(s.daily),
        levels: s.levels,
        stockDaily: s.stockDaily,
      }
    }
    const incremental = await nonZero()
    await viaCsv.ctx.db.transaction().execute((tx) => rebuildDerived(tx))
    expect(await nonZero()).toEqual(incremental)
  })
})
