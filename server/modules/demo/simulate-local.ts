import type { AppContext } from '../../context.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { insertOrder } from '../orders/intake.ts'
import { getBatch } from '../production/query.ts'
import type { Batch } from '../production/schemas.ts'
import { cancelBatch, completeBatch, planBatch, recordDowntime, startBatch } from '../production/service.ts'
import { listSessions, writeSessions } from '../traffic/service.ts'
import type { SimCatalog, SimulationTarget } from './simulate.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** The recent weeks whose sales set the simulated mix of channels and products. */
export const MIX_DAYS = 28
/** How the simulator's changes are recorded (ledger movements name their actor). */
const ACTOR = 'system:simulator'

/**
 * The simulator on the local database: the same service functions the API's routes call, each
 * write in its own transaction, and the same business events published after it commits (to the
 * bus: other processes see them only through Redis).
 */
export function localTarget(ctx: AppContext): SimulationTarget {
  const changed = (batch: Batch, data: Record<string, unknown> = {}) =>
    publishBusinessEvent(ctx, 'production.changed', {
      id: batch.id,
      line: batch.line,
      sku: batch.sku,
      status: batch.status,
      ...data,
    })
  return {
    catalog: () => localCatalog(ctx),
    async placeOrder(order) {
      const { id, status, totalBase } = await insertOrder(ctx, ctx.db, order, 'api')
      await publishBusinessEvent(ctx, 'order.created', { id, status, totalBase })
    },
    async storedSessions(hour) {
      const page = await listSessions(ctx, {
        from: hour.toISOString(),
        to: new Date(hour.getTime() + HOUR).toISOString(),
        limit: 1000,
      })
      return new Map(page.items.map((item) => [item.channel, item.visits]))
    },
    async writeSessions(items) {
      await writeSessions(ctx, { items })
    },
    async planBatch(input) {
      const id = await ctx.db.transaction().execute((tx) => planBatch(tx, input))
      await changed(await getBatch(ctx.db, id))
      return id
    },
    async startBatch(id) {
      await ctx.db.transaction().execute((tx) => startBatch(ctx, tx, id, {}))
      await changed(await getBatch(ctx.db, id), { from: 'planned' })
    },
    async recordDowntime(id, input) {
      await ctx.db.transaction().execute((tx) => recordDowntime(ctx, tx, id, input))
      const batch = await getBatch(ctx.db, id)
      await changed(batch, { downtimeMinutes: batch.downtimeMinutes })
    },
    async completeBatch(id, input) {
      const completion = await ctx.db.transaction().execute((tx) => completeBatch(ctx, tx, id, input, ACTOR))
      await changed(completion.batch, { from: 'running' })
      await publishBusinessEvent(ctx, 'stock.changed', {
        kind: 'production',
        batchId: id,
        levels: completion.levels,
      })
    },
    async cancelBatch(id) {
      const { from } = await ctx.db.transaction().execute((tx) => cancelBatch(ctx, tx, id))
      await changed(await getBatch(ctx.db, id), { from })
    },
  }
}

/** Channels, sellable products and lines, weighted by the last MIX_DAYS of sales. */
async function localCatalog(ctx: AppContext): Promise<SimCatalog> {
  const since = new Date(ctx.clock.ms() - MIX_DAYS * DAY)
  const orders = await ctx.db
    .selectFrom('order_totals_hourly')
    .select((eb) => ['channel_code', eb.fn.sum<string>('orders').as('n')])
    .where('hour', '>=', since)
    .groupBy('channel_code')
    .execute()
  const units = await ctx.db
    .selectFrom('sales_hourly')
    .select((eb) => ['sku', eb.fn.sum<string>('units').as('n')])
    .where('hour', '>=', since)
    .groupBy('sku')
    .execute()
  const prices = await ctx.db
    .selectFrom('products')
    .innerJoin('product_prices', 'product_prices.sku', 'products.sku')
    .select(['products.sku', 'product_prices.market_code'])
    .where('products.kind', '=', 'finished')
    .where('products.active', '=', true)
    .orderBy('products.sku')
    .execute()
  const withBom = new Set(
    (await ctx.db.selectFrom('bom_lines').select('product_sku').distinct().execute()).map(
      (r) => r.product_sku,
    ),
  )
  const channels = await ctx.db
    .selectFrom('channels')
    .select(['code', 'kind', 'market_code'])
    .orderBy('code')
    .execute()
  const lines = await ctx.db
    .selectFrom('production_lines')
    .select(['code', 'ideal_rate_per_hour'])
    .orderBy('code')
    .execute()
  const orderCount = new Map(orders.map((r) => [r.channel_code, Number(r.n)]))
  const unitCount = new Map(units.map((r) => [r.sku, Number(r.n)]))
  const markets = new Map<string, string[]>()
  for (const row of prices) markets.set(row.sku, [...(markets.get(row.sku) ?? []), row.market_code])
  return {
    channels: channels.map((c) => ({
      code: c.code,
      kind: c.kind,
      market: c.market_code,
      weight: orderCount.size === 0 ? 1 : (orderCount.get(c.code) ?? 0),
    })),
    products: [...markets].map(([sku, inMarkets]) => ({
      sku,
      markets: inMarkets,
      weight: unitCount.size === 0 ? 1 : (unitCount.get(sku) ?? 0),
      hasBom: withBom.has(sku),
    })),
    lines: lines.map((l) => ({ code: l.code, idealRatePerHour: Number(l.ideal_rate_per_hour) })),
  }
}
