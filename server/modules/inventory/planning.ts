import type { AppContext } from '../../context.ts'
import { round } from '../../platform/numbers.ts'
import { forecast } from '../forecasting/models.ts'
import { isCritical, projectedStockoutDate, reorderPoint, reorderQuantity, safetyStock } from './calc.ts'
import {
  type DemandSource,
  dailyDemand,
  demandStats,
  demandWindow,
  fromFirstDemand,
  pairKey,
} from './demand.ts'
import type { CriticalItem, CriticalQuery, ReorderQuery, ReorderSuggestion } from './schemas.ts'

/**
 * Inventory planning per SKU × location (SPEC §3): critical items and reorder suggestions. Pairs
 * considered are those of active products with stock (on hand or reserved) or demand in the window.
 */

/** Daily series are weekly: the season the forecast looks for. */
const SEASON_LENGTH = 7

interface Pair {
  sku: string
  name: string
  kind: 'finished' | 'component'
  location: string
  onHand: number
  reserved: number
  leadTimeDays: number
  /** Below 50% the safety-stock formula would give a negative buffer; such products get none. */
  serviceLevel: number
  moq: number
  batchSize: number
  demandSource: DemandSource
  units: number[]
}

interface PairFilter {
  sku?: string
  location?: string
  kind?: 'finished' | 'component'
  windowDays: number
}

async function loadPairs(ctx: AppContext, filter: PairFilter): Promise<Pair[]> {
  let products = ctx.db.selectFrom('products').selectAll().where('active', '=', true)
  if (filter.sku) products = products.where('sku', '=', filter.sku)
  if (filter.kind) products = products.where('kind', '=', filter.kind)
  let levels = ctx.db
    .selectFrom('stock_levels')
    .select(['sku', 'location_code', 'on_hand', 'reserved'])
    .where((eb) => eb.or([eb('on_hand', '<>', 0), eb('reserved', '<>', 0)]))
  if (filter.sku) levels = levels.where('sku', '=', filter.sku)
  if (filter.location) levels = levels.where('location_code', '=', filter.location)
  const window = demandWindow(ctx.clock.now(), filter.windowDays)
  const [productRows, levelRows, demand] = [
    await products.execute(),
    await levels.execute(),
    await dailyDemand(ctx.db, window, filter),
  ]
  const bySku = new Map(productRows.map((row) => [row.sku, row]))
  const stock = new Map(levelRows.map((row) => [pairKey(row.sku, row.location_code), row]))
  const keys = new Set([...stock.keys(), ...demand.keys()])
  const pairs: Pair[] = []
  for (const key of keys) {
    const level = stock.get(key)
    const series = demand.get(key)
    const sku = level?.sku ?? series!.sku
    const product = bySku.get(sku)
    if (!product) continue
    pairs.push({
      sku,
      name: product.name,
      kind: product.kind,
      location: level?.location_code ?? series!.location,
      onHand: level?.on_hand ?? 0,
      reserved: level?.reserved ?? 0,
      leadTimeDays: product.lead_time_days,
      serviceLevel: Math.max(0.5, Number(product.service_level)),
      moq: product.moq,
      batchSize: product.batch_size,
      demandSource: product.kind === 'finished' ? 'sales' : 'consumption',
      units: series?.units ?? new Array(window.days).fill(0),
    })
  }
  return pairs.sort((a, b) => compare(a.sku, b.sku) || compare(a.location, b.location))
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The policy numbers of a pair from its demand statistics. */
function policyOf(pair: Pair) {
  const { mean, sd } = demandStats(pair.units)
  const ss = safetyStock({ serviceLevel: pair.serviceLevel, demandSd: sd, leadTimeDays: pair.leadTimeDays })
  const rop = reorderPoint({ meanDailyDemand: mean, leadTimeDays: pair.leadTimeDays, safetyStock: ss })
  return { mean, sd, safetyStock: ss, reorderPoint: rop, available: pair.onHand - pair.reserved }
}

/**
 * SKU × location pairs whose available stock is below safety stock or runs out (at mean daily
 * demand) before a replenishment ordered today arrives; soonest stock-out first.
 */
export async function criticalItems(ctx: AppContext, query: CriticalQuery): Promise<CriticalItem[]> {
  const now = ctx.clock.now()
  const items: CriticalItem[] = []
  for (const pair of await loadPairs(ctx, query)) {
    const policy = policyOf(pair)
    const verdict = isCritical({
      onHand: pair.onHand,
      reserved: pair.reserved,
      safetyStock: policy.safetyStock,
      meanDailyDemand: policy.mean,
      leadTimeDays: pair.leadTimeDays,
    })
    if (!verdict.critical) continue
    const stockout = projectedStockoutDate(verdict.available, policy.mean, now)
    items.push({
      sku: pair.sku,
      name: pair.name,
      kind: pair.kind,
      location: pair.location,
      onHand: pair.onHand,
      reserved: pair.reserved,
      available: verdict.available,
      demandSource: pair.demandSource,
      meanDailyDemand: round(policy.mean),
      demandSd: round(policy.sd),
      leadTimeDays: pair.leadTimeDays,
      serviceLevel: pair.serviceLevel,
      safetyStock: round(policy.safetyStock),
      reorderPoint: round(policy.reorderPoint),
      daysOfCover: verdict.daysOfCover === null ? null : round(verdict.daysOfCover),
      projectedStockoutDate: stockout ? stockout.toISOString().slice(0, 10) : null,
      reasons: verdict.reasons,
    })
  }
  // Stock-outs soonest first; items below safety stock with no demand (no cover figure) last.
  return items.sort((a, b) => (a.daysOfCover ?? Infinity) - (b.daysOfCover ?? Infinity))
}

/**
 * Units to order now per SKU × location: forecast demand over lead time + horizon, plus safety
 * stock, minus available stock and open supply, raised to the MOQ and rounded up to whole
 * batches (`calc.reorderQuantity`). The forecast runs on the daily series from its first day
 * with demand (weekly season), so the model falls back to seasonal-naive, SES or naive on a short
 * history; with no demand at all it is 0.
 */
export async function reorderSuggestions(ctx: AppContext, query: ReorderQuery): Promise<ReorderSuggestion[]> {
  const pairs = await loadPairs(ctx, query)
  const supply = await openSupply(ctx, query)
  const suggestions: ReorderSuggestion[] = []
  for (const pair of pairs) {
    const policy = policyOf(pair)
    const history = fromFirstDemand(pair.units)
    const forecastDays = pair.leadTimeDays + query.horizonDays
    const predicted =
      history.length > 0 ? forecast(history, { seasonLength: SEASON_LENGTH, horizon: forecastDays }) : null
    const forecastDemand = predicted ? predicted.points.reduce((sum, point) => sum + point.value, 0) : 0
    const open = supply.get(pairKey(pair.sku, pair.location)) ?? { purchase: 0, production: 0 }
    const quantity = reorderQuantity({
      forecastDemandOverHorizon: forecastDemand,
      safetyStock: policy.safetyStock,
      available: policy.available,
      openPurchase: open.purchase,
      openProduction: open.production,
      moq: pair.moq,
      batchSize: pair.batchSize,
    })
    if (quantity === 0 && !query.includeZero) continue
    suggestions.push({
      sku: pair.sku,
      name: pair.name,
      kind: pair.kind,
      location: pair.location,
      quantity,
      inputs: {
        demandSource: pair.demandSource,
        historyDays: history.length,
        forecastModel: predicted?.model ?? null,
        backtestWape: predicted?.backtest?.wape ?? null,
        leadTimeDays: pair.leadTimeDays,
        horizonDays: query.horizonDays,
        forecastDays,
        forecastDemand: round(forecastDemand),
        meanDailyDemand: round(policy.mean),
        demandSd: round(policy.sd),
        serviceLevel: pair.serviceLevel,
        safetyStock: round(policy.safetyStock),
        onHand: pair.onHand,
        reserved: pair.reserved,
        available: policy.available,
        openPurchase: open.purchase,
        openProduction: open.production,
        need: round(forecastDemand + policy.safetyStock - policy.available - open.purchase - open.production),
        moq: pair.moq,
        batchSize: pair.batchSize,
      },
    })
  }
  return suggestions
}

/**
 * Supply on its way per SKU × location: lines of purchase orders still `ordered`, and what
 * planned or running production batches have yet to make (planned − good, never below 0).
 */
async function openSupply(
  ctx: AppContext,
  filter: { sku?: string; location?: string },
): Promise<Map<string, { purchase: number; production: number }>> {
  let purchase = ctx.db
    .selectFrom('purchase_order_lines')
    .innerJoin('purchase_orders', 'purchase_orders.id', 'purchase_order_lines.purchase_order_id')
    .select((eb) => [
      'purchase_order_lines.sku',
      'purchase_orders.location_code',
      eb.fn.sum<string>('purchase_order_lines.quantity').as('quantity'),
    ])
    .where('purchase_orders.status', '=', 'ordered')
    .groupBy(['purchase_order_lines.sku', 'purchase_orders.location_code'])
  if (filter.sku) purchase = purchase.where('purchase_order_lines.sku', '=', filter.sku)
  if (filter.location) purchase = purchase.where('purchase_orders.location_code', '=', filter.location)
  let production = ctx.db
    .selectFrom('production_batches')
    .select((eb) => [
      'sku',
      'location_code',
      eb.fn
        .sum<string>(eb.fn('greatest', [eb('planned_quantity', '-', eb.ref('good_count')), eb.lit(0)]))
        .as('quantity'),
    ])
    .where('status', 'in', ['planned', 'running'])
    .groupBy(['sku', 'location_code'])
  if (filter.sku) production = production.where('sku', '=', filter.sku)
  if (filter.location) production = production.where('location_code', '=', filter.location)

  const open = new Map<string, { purchase: number; production: number }>()
  const entry = (sku: string, location: string) => {
    const key = pairKey(sku, location)
    const found = open.get(key) ?? { purchase: 0, production: 0 }
    open.set(key, found)
    return found
  }
  for (const row of await purchase.execute())
    entry(row.sku, row.location_code).purchase += Number(row.quantity)
  for (const row of await production.execute())
    entry(row.sku, row.location_code).production += Number(row.quantity)
  return open
}
