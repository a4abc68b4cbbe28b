import type { AppContext } from '../../context.ts'
import { daysBetween, type LotBalance, remainingByLot } from './lots.ts'
import type { ExpiringLot, ExpiringQuery } from './schemas.ts'

/**
 * Lots with stock left at a location whose expiry falls within `days` of today (UTC) or has
 * passed, soonest first, from the ledger: each lot's net at the location, its expiry (the
 * earliest any of its movements states, so a lot transferred on keeps the expiry its output
 * was booked with), and the location's on-hand stock, given to the lots that arrived last
 * (movements without a lot take the oldest stock first: `remainingByLot`).
 */
export async function expiringLots(
  ctx: AppContext,
  query: ExpiringQuery,
): Promise<{ asOf: string; days: number; items: ExpiringLot[] }> {
  const asOf = ctx.clock.now().toISOString().slice(0, 10)
  // One snapshot, so that a movement booked meanwhile is in all three reads or in none.
  const { lots, onHand, expiries } = await ctx.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      let lotted = tx
        .selectFrom('stock_movements')
        .select((eb) => [
          'sku',
          'location_code',
          'lot',
          eb.fn.sum<string>('quantity').as('net'),
          eb.fn.min('occurred_at').as('first_at'),
        ])
        .where('lot', 'is not', null)
        .groupBy(['sku', 'location_code', 'lot'])
      let levels = tx
        .selectFrom('stock_levels')
        .innerJoin('products', 'products.sku', 'stock_levels.sku')
        .select(['stock_levels.sku', 'stock_levels.location_code', 'stock_levels.on_hand', 'products.name'])
        .where('stock_levels.on_hand', '>', 0)
      if (query.location) {
        lotted = lotted.where('location_code', '=', query.location)
        levels = levels.where('stock_levels.location_code', '=', query.location)
      }
      return {
        lots: await lotted.execute(),
        onHand: await levels.execute(),
        expiries: await tx
          .selectFrom('stock_movements')
          .select((eb) => ['sku', 'lot', eb.fn.min('expires_on').as('expires_on')])
          .where('lot', 'is not', null)
          .where('expires_on', 'is not', null)
          .groupBy(['sku', 'lot'])
          .execute(),
      }
    })
  const expiryOf = new Map(expiries.map((row) => [`${row.sku}\u0000${row.lot}`, row.expires_on]))
  const byPair = new Map<string, LotBalance[]>()
  for (const row of lots) {
    const key = `${row.sku}\u0000${row.location_code}`
    const balances = byPair.get(key) ?? []
    balances.push({
      lot: row.lot!,
      net: Number(row.net),
      expiresOn: expiryOf.get(`${row.sku}\u0000${row.lot}`) ?? null,
      firstAt: new Date(row.first_at),
    })
    byPair.set(key, balances)
  }
  const items: ExpiringLot[] = []
  for (const level of onHand) {
    const balances = byPair.get(`${level.sku}\u0000${level.location_code}`)
    if (!balances) continue
    for (const lot of remainingByLot(level.on_hand, balances)) {
      if (lot.remaining <= 0 || lot.expiresOn === null) continue
      const daysLeft = daysBetween(asOf, lot.expiresOn)
      if (daysLeft > query.days) continue
      items.push({
        sku: level.sku,
        name: level.name,
        location: level.location_code,
        lot: lot.lot,
        quantity: lot.remaining,
        expiresOn: lot.expiresOn,
        daysLeft,
      })
    }
  }
  items.sort(
    (a, b) =>
      a.expiresOn.localeCompare(b.expiresOn) ||
      a.sku.localeCompare(b.sku) ||
      a.location.localeCompare(b.location) ||
      a.lot.localeCompare(b.lot),
  )
  return { asOf, days: query.days, items }
}
