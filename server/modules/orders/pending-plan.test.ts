import { CompiledQuery, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { type OrderFilter, ordersQuery } from './query.ts'

/**
 * The runbook's pending orders (`GET /api/orders?status=pending`) are answered from an index,
 * never by reading the whole table: the plan PostgreSQL makes for the exact statement the route
 * runs, over 20,000 orders with fresh statistics. Runs in the PostgreSQL pass, the engine of
 * production; skipped on the embedded engine, where loading the rows takes most of half a minute.
 */
const ORDERS = 20_000
const PENDING_EVERY = 200

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Index Cond'?: string
  Plans?: PlanNode[]
}

const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)]

describe.skipIf(inject('template').engine !== 'postgres')('pending orders on PostgreSQL', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ start: false })
    await insertCatalogAndRates(t.ctx)
    // A year of fulfilled orders with one in PENDING_EVERY still pending, in one statement.
    await sql`
      insert into orders (id, source, channel_code, market_code, currency, status, placed_at,
        subtotal, tax, shipping, total, fx_rate, total_base, location_code)
      select 'ord_plan' || lpad(g::text, 6, '0'), 'api', 'shopify-uk', 'UK', 'GBP',
        case when g % ${PENDING_EVERY} = 0 then 'pending' else 'fulfilled' end,
        timestamptz '2026-01-01T00:00:00Z' + (g * interval '26 minutes'),
        30, 6, 0, 36, 1, 36, 'UK-WH'
      from generate_series(1, ${ORDERS}) g`.execute(t.ctx.db)
    await sql`analyze orders`.execute(t.ctx.db)
  })
  afterAll(() => t?.close())

  const plan = async (filter: OrderFilter) => {
    const compiled = ordersQuery(t.ctx.db, filter).compile()
    const result = await t.ctx.db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      CompiledQuery.raw(`explain (format json) ${compiled.sql}`, [...compiled.parameters]),
    )
    return nodes(result.rows[0]!['QUERY PLAN'][0].Plan)
  }
  const expectIndexOnly = (all: PlanNode[]) => {
    const scans = all.filter((n) => n['Relation Name'] === 'orders' || n['Index Name'])
    expect(scans.map((n) => n['Node Type'])).not.toContain('Seq Scan')
    expect(scans).toContainEqual(
      expect.objectContaining({
        'Node Type': expect.stringMatching(/^(Index Scan|Index Only Scan|Bitmap Index Scan)$/),
        'Index Name': 'orders_status_placed_at_idx',
      }),
    )
  }

  it('serves the first page and the following ones from the (status, placed_at, id) index', async () => {
    expectIndexOnly(await plan({ status: 'pending', limit: 50 }))

    const viewer = await as(t.ctx, 'viewer')
    const first = await t.app.inject({ url: '/api/orders?status=pending&limit=50', headers: viewer })
    expect(first.statusCode).toBe(200)
    const { items, nextCursor } = first.json() as { items: { status: string }[]; nextCursor: string }
    expect(items).toHaveLength(50)
    expect(items.every((o) => o.status === 'pending')).toBe(true)
    const next = await plan({ status: 'pending', limit: 50, cursor: nextCursor })
    expectIndexOnly(next)
    // the cursor bounds the index scan itself rather than filtering rows read before it
    expect(next.find((n) => n['Index Name'])?.['Index Cond']).toMatch(/ROW\(placed_at, id\) </)

    const second = await t.app.inject({
      url: `/api/orders?status=pending&limit=50&cursor=${nextCursor}`,
      headers: viewer,
    })
    expect(second.json().items).toHaveLength(ORDERS / PENDING_EVERY - 50)
    expect(second.json().nextCursor).toBeNull()
  })

  it('also serves a pending page within a time range from it', async () => {
    expectIndexOnly(
      await plan({ status: 'pending', limit: 50, from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' }),
    )
  })
})
