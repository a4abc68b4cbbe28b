import type { AppContext } from '../server/context.ts'
import { insertDemoCatalog } from '../server/modules/demo/catalog.ts'

/** The demo catalog plus EUR and USD rates from 2026-01-01 (GBP per unit), for business tests. */
export async function insertCatalogAndRates(ctx: AppContext, rates = { EUR: 0.85, USD: 0.8 }): Promise<void> {
  await insertDemoCatalog(ctx.db)
  await ctx.db
    .insertInto('fx_rates')
    .values(Object.entries(rates).map(([currency, rate]) => ({ currency, day: '2026-01-01', rate })))
    .execute()
}
