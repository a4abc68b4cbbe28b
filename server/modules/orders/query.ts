import type { Kysely } from 'kysely'
import type { AppContext } from '../../context.ts'
import { pageOf } from '../../platform/db/pagination.ts'
import type { OrderStatus, Tables } from '../../platform/db/schema.ts'
import { cursorTime, decodeCursor, encodeCursor } from '../../platform/http/cursor.ts'
import { type OrderView, presentOrder } from './service.ts'

export interface OrderFilter {
  status?: OrderStatus
  channel?: string
  market?: string
  from?: string
  to?: string
  limit: number
  cursor?: string
}

/**
 * The statement behind `GET /api/orders`: newest first, keyset-paged on (placed_at, id), one row
 * more than the page to tell whether another follows. With a status, the runbook's
 * "orders WHERE status = 'pending'" is served by the (status, placed_at, id) index.
 */
export function ordersQuery(db: Kysely<Tables>, filter: OrderFilter) {
  let query = db.selectFrom('orders').selectAll()
  if (filter.status) query = query.where('status', '=', filter.status)
  if (filter.channel) query = query.where('channel_code', '=', filter.channel)
  if (filter.market) query = query.where('market_code', '=', filter.market)
  if (filter.from) query = query.where('placed_at', '>=', new Date(filter.from))
  if (filter.to) query = query.where('placed_at', '<', new Date(filter.to))
  if (filter.cursor) {
    const [at = '', id = ''] = decodeCursor(filter.cursor, 2)
    query = query.where((eb) => eb(eb.refTuple('placed_at', 'id'), '<', eb.tuple(cursorTime(at), id)))
  }
  return query
    .orderBy('placed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
}

export async function listOrders(
  ctx: AppContext,
  filter: OrderFilter,
): Promise<{ items: Omit<OrderView, 'lines'>[]; nextCursor: string | null }> {
  const rows = await ordersQuery(ctx.db, filter).execute()
  return pageOf(rows, filter.limit, presentOrder, (last) =>
    encodeCursor([new Date(last.placed_at).toISOString(), last.id]),
  )
}
