import type { UnleashedSettings } from '../../../config-connectors.ts'
import { recordMovement } from '../../inventory/ledger.ts'
import type { SyncRun } from '../types.ts'
import { eachPage, StockItem } from './client.ts'
import { ACTOR, knownLocations, locationOf, type Tally } from './mapping.ts'

/**
 * Unleashed's stock on hand, brought into the ledger: for each SKU × location whose quantity
 * there differs from on-hand here, one adjustment of the difference (reference
 * `unleashed` / `stock:<day>`), so the ledger stays the only record of stock and every change
 * has a movement. Unknown products and warehouses, and negative quantities, are skipped.
 */
export async function syncStock(
  run: SyncRun<UnleashedSettings>,
  modifiedSince: string | undefined,
  tally: Tally,
): Promise<void> {
  const ctx = run.app
  const locations = await knownLocations(ctx)
  await eachPage(run, 'StockOnHand', StockItem, { modifiedSince }, async (items) => {
    tally.fetched += items.length
    const codes = [...new Set(items.map((item) => item.ProductCode))]
    const products = codes.length
      ? await ctx.db.selectFrom('products').select('sku').where('sku', 'in', codes).execute()
      : []
    const skus = new Set(products.map((row) => row.sku))
    const wanted: { sku: string; location: string; quantity: number; warehouse: string }[] = []
    for (const item of items) {
      tally.seen(item.LastModifiedOn)
      const location = locationOf(run.config, locations, item.WarehouseCode)
      if (!location) tally.skip('unknown warehouse', item.WarehouseCode ?? '(none)')
      else if (!skus.has(item.ProductCode)) tally.skip('unknown product', item.ProductCode)
      else if (item.QtyOnHand < 0) tally.skip('negative quantity', `${item.ProductCode} at ${location}`)
      else
        wanted.push({
          sku: item.ProductCode,
          location,
          quantity: Math.round(item.QtyOnHand),
          warehouse: item.WarehouseCode ?? location,
        })
    }
    const now = ctx.clock.now()
    const reference = { type: 'unleashed', id: `stock:${now.toISOString().slice(0, 10)}` }
    const changes = await ctx.db.transaction().execute(async (tx) => {
      let booked = 0
      for (const { sku, location, quantity, warehouse } of wanted) {
        const level = await tx
          .selectFrom('stock_levels')
          .select('on_hand')
          .where('sku', '=', sku)
          .where('location_code', '=', location)
          .forUpdate()
          .executeTakeFirst()
        const difference = quantity - (level?.on_hand ?? 0)
        if (difference === 0) continue
        await recordMovement(tx, {
          kind: 'adjustment',
          sku,
          locationCode: location,
          quantity: difference,
          occurredAt: now,
          reference,
          note: `Unleashed ${warehouse}: ${quantity} on hand`,
          actor: ACTOR,
        })
        booked++
      }
      return booked
    })
    tally.written += changes
    tally.skipped += wanted.length - changes
  })
}
