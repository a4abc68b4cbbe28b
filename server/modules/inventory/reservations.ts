import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { notFound } from '../../platform/http/errors.ts'
import type { ReservationQuery, Reservations } from './schemas.ts'

/**
 * The stock level of one SKU × location with the orders' reservations behind its reserved
 * figure (and, when asked, one order's share), read in one statement so all of it is one
 * snapshot: `reserved − held.quantity` stays the same whatever other orders do meanwhile, which
 * is what a check of a busy instance compares (`sentia test:critical-path`).
 */
export async function reservationsAt(ctx: AppContext, query: ReservationQuery): Promise<Reservations> {
  const { rows } = await sql<{
    on_hand: number
    reserved: number
    orders: string
    quantity: string
    order_quantity: string
  }>`
    select l.on_hand, l.reserved,
      (select count(*) from stock_reservations r
        where r.sku = l.sku and r.location_code = l.location_code) as orders,
      (select coalesce(sum(r.quantity), 0) from stock_reservations r
        where r.sku = l.sku and r.location_code = l.location_code) as quantity,
      (select coalesce(sum(r.quantity), 0) from stock_reservations r
        where r.sku = l.sku and r.location_code = l.location_code
          and r.order_id = ${query.order ?? null}::text) as order_quantity
    from stock_levels l
    where l.sku = ${query.sku} and l.location_code = ${query.location}`.execute(ctx.db)
  const row = rows[0]
  if (!row) throw notFound(`No stock level for ${query.sku} at ${query.location}`)
  return {
    sku: query.sku,
    location: query.location,
    onHand: row.on_hand,
    reserved: row.reserved,
    available: row.on_hand - row.reserved,
    held: { orders: Number(row.orders), quantity: Number(row.quantity) },
    ...(query.order ? { order: { id: query.order, quantity: Number(row.order_quantity) } } : {}),
  }
}
