import type { AmazonSettings } from '../../../config-connectors.ts'
import type { Connector, SyncResult, SyncRun } from '../types.ts'
import { eachOrderPage } from './client.ts'
import { bookOrder } from './orders.ts'
import { marketplacesByEndpoint } from './regions.ts'

/**
 * Amazon Selling Partner API: orders updated since the cursor (LastUpdateDate of the latest
 * order seen), per region, with their items, booked through the orders module.
 */

/** How far back the first run reaches. */
export const FIRST_RUN_DAYS = 30
const DAY = 86_400_000
const SETTLE_MS = 2 * 60_000

async function sync(run: SyncRun<AmazonSettings>): Promise<SyncResult> {
  const ctx = run.app
  const since = run.since ? new Date(run.since) : undefined
  // Amazon refuses a LastUpdatedAfter less than two minutes before the request.
  const latestAllowed = ctx.clock.ms() - SETTLE_MS
  const after =
    since && !Number.isNaN(since.getTime())
      ? new Date(Math.min(since.getTime(), latestAllowed))
      : new Date(ctx.clock.ms() - FIRST_RUN_DAYS * DAY)
  const result: SyncResult = { fetched: 0, written: 0, skipped: 0, cursor: null }
  const reasons = new Map<string, string[]>()
  let latest = after.getTime()
  for (const [endpoint, marketplaces] of marketplacesByEndpoint(run.config)) {
    await eachOrderPage(run, endpoint, marketplaces, after, async (orders) => {
      result.fetched += orders.length
      for (const order of orders) {
        const updated = Date.parse(order.LastUpdateDate)
        if (updated > latest) latest = updated
        const outcome = await bookOrder(run, endpoint, order)
        if ('written' in outcome) result.written++
        else {
          result.skipped++
          reasons.set(outcome.skipped, [...(reasons.get(outcome.skipped) ?? []), order.AmazonOrderId])
        }
      }
    })
  }
  result.notes = [...reasons]
    .filter(([reason]) => reason !== 'known')
    .map(([reason, orders]) => {
      ctx.logger.warn(
        { connector: 'amazon', reason, count: orders.length, orders: orders.slice(0, 20) },
        `amazon: orders skipped (${reason})`,
      )
      return `orders skipped, ${reason} (${orders.length}): ${orders.slice(0, 5).join(', ')}${orders.length > 5 ? ', …' : ''}`
    })
  result.cursor = latest > after.getTime() ? new Date(latest).toISOString() : null
  return result
}

export const amazonConnector: Connector<AmazonSettings> = {
  name: 'amazon',
  title: 'Amazon Seller Central',
  resources: ['orders with their items, as paid orders on the channel of each marketplace', 'cancellations'],
  variables: ['AMAZON_LWA_CLIENT_ID', 'AMAZON_LWA_CLIENT_SECRET', 'AMAZON_REFRESH_TOKEN'],
  schedule: '*/10 * * * *',
  settings: (config) => config.connectors.amazon,
  sync,
}
