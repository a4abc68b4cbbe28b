import { sql } from 'kysely'
import type { Db } from '../../platform/db/database.ts'

/**
 * Daily demand per SKU × location over a window of complete UTC days before today (today is
 * partial and would pull the mean down). Days without demand count as 0.
 *
 * - Finished goods: units in `sales_daily`, placed at the location their channel ships from
 *   (`channels.location_code`).
 * - Components: units taken by `consumption` movements at the location. Components are not
 *   sold; exploding planned production through the bills of materials would double-count what
 *   consumption already records, so their own consumption history is their demand.
 */

const MS_PER_DAY = 86_400_000

export interface DemandWindow {
  /** First day counted, YYYY-MM-DD. */
  from: string
  /** The day after the last one counted (today), YYYY-MM-DD. */
  until: string
  days: number
}

export type DemandSource = 'sales' | 'consumption'

export interface DemandSeries {
  sku: string
  location: string
  /** Units per day, oldest first, one entry per day of the window. */
  units: number[]
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export function demandWindow(now: Date, days: number): DemandWindow {
  const today = Math.floor(now.getTime() / MS_PER_DAY) * MS_PER_DAY
  return { from: dayOf(today - days * MS_PER_DAY), until: dayOf(today), days }
}

export const pairKey = (sku: string, location: string) => `${sku}\u0000${location}`

/** Daily demand of every SKU × location with some demand in the window, keyed by `pairKey`. */
export async function dailyDemand(
  db: Db,
  window: DemandWindow,
  filter: { sku?: string; location?: string } = {},
): Promise<Map<string, DemandSeries>> {
  let sales = db
    .selectFrom('sales_daily')
    .innerJoin('channels', 'channels.code', 'sales_daily.channel_code')
    .innerJoin('products', 'products.sku', 'sales_daily.sku')
    .select((eb) => [
      'sales_daily.day',
      'sales_daily.sku',
      'channels.location_code',
      eb.fn.sum<string>('sales_daily.units').as('units'),
    ])
    .where('products.kind', '=', 'finished')
    .where('sales_daily.day', '>=', window.from)
    .where('sales_daily.day', '<', window.until)
    .groupBy(['sales_daily.day', 'sales_daily.sku', 'channels.location_code'])
  if (filter.sku) sales = sales.where('sales_daily.sku', '=', filter.sku)
  if (filter.location) sales = sales.where('channels.location_code', '=', filter.location)

  let consumption = db
    .selectFrom('stock_daily')
    .innerJoin('products', 'products.sku', 'stock_daily.sku')
    .select([
      'stock_daily.day',
      'stock_daily.sku',
      'stock_daily.location_code',
      sql<string>`-sum(stock_daily.quantity)`.as('units'),
    ])
    .where('products.kind', '=', 'component')
    .where('stock_daily.kind', '=', 'consumption')
    .where('stock_daily.day', '>=', window.from)
    .where('stock_daily.day', '<', window.until)
    .groupBy(['stock_daily.day', 'stock_daily.sku', 'stock_daily.location_code'])
  if (filter.sku) consumption = consumption.where('stock_daily.sku', '=', filter.sku)
  if (filter.location) consumption = consumption.where('stock_daily.location_code', '=', filter.location)

  const rows = [...(await sales.execute()), ...(await consumption.execute())]
  const start = Date.parse(`${window.from}T00:00:00Z`)
  const series = new Map<string, DemandSeries>()
  for (const row of rows) {
    const key = pairKey(row.sku, row.location_code)
    let entry = series.get(key)
    if (!entry) {
      entry = { sku: row.sku, location: row.location_code, units: new Array(window.days).fill(0) }
      series.set(key, entry)
    }
    const index = Math.round((Date.parse(`${row.day}T00:00:00Z`) - start) / MS_PER_DAY)
    entry.units[index] = (entry.units[index] ?? 0) + Number(row.units)
  }
  return series
}

/** Mean and sample standard deviation (n − 1) of daily demand; sd is 0 with fewer than 2 days. */
export function demandStats(units: readonly number[]): { mean: number; sd: number } {
  const n = units.length
  if (n === 0) return { mean: 0, sd: 0 }
  const mean = units.reduce((sum, value) => sum + value, 0) / n
  if (n < 2) return { mean, sd: 0 }
  const squares = units.reduce((sum, value) => sum + (value - mean) ** 2, 0)
  return { mean, sd: Math.sqrt(squares / (n - 1)) }
}

/** The series from its first day with demand: a product launched inside the window is not forecast from zeros before it existed. */
export function fromFirstDemand(units: readonly number[]): number[] {
  const first = units.findIndex((value) => value !== 0)
  return first === -1 ? [] : units.slice(first)
}
