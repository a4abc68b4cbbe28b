import { type Kysely, sql } from 'kysely'
import type { Config } from '../../config.ts'
import type { AppContext } from '../../context.ts'
import type { Tables } from '../../platform/db/schema.ts'
import { AppError } from '../../platform/http/errors.ts'
import { insertDemoCatalog } from './catalog.ts'
import { type DemoOptions, type DemoRows, demoChunks } from './generate.ts'

/** Rows per INSERT: large enough to be quick, small enough for PostgreSQL's parameter limit. */
const CHUNK = 1000

/** Insert order: every row after the rows it refers to. */
const TABLES: (keyof DemoRows)[] = [
  'fx_rates',
  'orders',
  'order_lines',
  'stock_reservations',
  'production_batches',
  'production_downtime',
  'purchase_orders',
  'purchase_order_lines',
  'stock_movements',
  'storefront_sessions',
  'receivables',
  'payables',
]

export interface SeedReport {
  orders: number
  orderLines: number
  movements: number
  batches: number
  sessions: number
  ms: number
}

/**
 * Loads the demo business into an empty database: the catalog, then every generated row in
 * batched inserts, then the rollups and stock levels rebuilt from the raw rows. Refuses a
 * database that already has business data.
 */
export async function seedDemo(
  ctx: AppContext,
  options: DemoOptions,
  /** Called as rows are written, with the orders written so far. */
  progress: (table: string, orders: number) => void = () => {},
): Promise<SeedReport> {
  const started = performance.now()
  const existing = await ctx.db.selectFrom('markets').select('code').limit(1).executeTakeFirst()
  if (existing)
    throw new AppError(
      409,
      'NOT_EMPTY',
      'The database already has business data; demo data goes into an empty one',
    )
  const counts = {
    orders: 0,
    order_lines: 0,
    stock_movements: 0,
    production_batches: 0,
    storefront_sessions: 0,
  }
  await ctx.db.transaction().execute(async (tx) => {
    await insertDemoCatalog(tx)
    for (const rows of demoChunks(options)) {
      for (const table of TABLES) {
        const all = rows[table] as Record<string, unknown>[]
        for (let i = 0; i < all.length; i += CHUNK) {
          await tx
            .insertInto(table)
            .values(all.slice(i, i + CHUNK) as never)
            .execute()
        }
        if (table in counts) counts[table as keyof typeof counts] += all.length
        progress(table, counts.orders)
      }
    }
    await rebuildDerived(tx)
  })
  return {
    orders: counts.orders,
    orderLines: counts.order_lines,
    movements: counts.stock_movements,
    batches: counts.production_batches,
    sessions: counts.storefront_sessions,
    ms: Math.round(performance.now() - started),
  }
}

/**
 * Recomputes everything derived from raw rows: stock levels from the ledger and reservations,
 * the ledger's daily net movements,
 * and the sales rollups from the orders that count as sales (the same formulas as the
 * incremental path in orders/rollups.ts: line values rounded per line, hours and days in UTC).
 */
export async function rebuildDerived(db: Kysely<Tables>): Promise<void> {
  const statements = [
    sql`delete from stock_levels`,
    sql`insert into stock_levels (sku, location_code, on_hand, reserved)
      select sku, location_code, sum(on_hand)::int, sum(reserved)::int from (
        select sku, location_code, quantity as on_hand, 0 as reserved from stock_movements
        union all
        select r.sku, r.location_code, 0, r.quantity from stock_reservations r
      ) s group by sku, location_code`,
    sql`delete from stock_daily`,
    sql`insert into stock_daily (day, sku, location_code, kind, quantity)
      select (occurred_at at time zone 'UTC')::date, sku, location_code, kind, sum(quantity)::int
      from stock_movements group by 1, 2, 3, 4`,
    sql`delete from order_totals_hourly`,
    sql`delete from sales_hourly`,
    sql`delete from sales_daily`,
    sql`insert into order_totals_hourly (hour, channel_code, market_code, orders, revenue_base)
      select date_trunc('hour', placed_at at time zone 'UTC') at time zone 'UTC', channel_code, market_code,
             count(*), sum(total_base)
      from orders where status not in ('cancelled', 'refunded') group by 1, 2, 3`,
    sql`insert into sales_hourly (hour, channel_code, market_code, sku, orders, units, revenue_base, cost_base)
      select date_trunc('hour', o.placed_at at time zone 'UTC') at time zone 'UTC', o.channel_code, o.market_code, l.sku,
             count(distinct o.id), sum(l.quantity), sum(round(l.quantity * l.unit_price * o.fx_rate, 2)),
             sum(round(l.quantity * l.unit_cost, 2))
      from orders o join order_lines l on l.order_id = o.id
      where o.status not in ('cancelled', 'refunded') group by 1, 2, 3, 4`,
    sql`insert into sales_daily (day, channel_code, market_code, sku, orders, units, revenue_base, cost_base)
      select (o.placed_at at time zone 'UTC')::date, o.channel_code, o.market_code, l.sku,
             count(distinct o.id), sum(l.quantity), sum(round(l.quantity * l.unit_price * o.fx_rate, 2)),
             sum(round(l.quantity * l.unit_cost, 2))
      from orders o join order_lines l on l.order_id = o.id
      where o.status not in ('cancelled', 'refunded') group by 1, 2, 3, 4`,
  ]
  for (const statement of statements) await statement.execute(db)
}

/** Whether the config asks for the demo year on an empty database: in development on the embedded engine, or DEMO_DATA=true. */
export function demoWanted(config: Config): boolean {
  if (config.env === 'production' || config.demoData === 'false') return false
  return config.demoData === 'true' || (config.env === 'development' && config.database.engine === 'pglite')
}

/**
 * Loads the demo year at start into an empty database the config wants it in. A fresh embedded
 * cluster got it before this process opened it (first-start.ts); this covers the rest (a cluster
 * left empty, PostgreSQL with DEMO_DATA=true).
 */
export async function seedOnFirstStart(ctx: AppContext): Promise<void> {
  if (!demoWanted(ctx.config)) return
  if (await ctx.db.selectFrom('markets').select('code').limit(1).executeTakeFirst()) return
  const report = await seedDemo(ctx, { days: 365, scale: 1, seed: 1, now: ctx.clock.now() })
  ctx.logger.info({ demo: report }, 'loaded a year of demo business data')
}
