import type { AppContext } from '../../context.ts'
import type { OrderStatus } from '../../platform/db/schema.ts'
import { badRequest } from '../../platform/http/errors.ts'
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

/** The position after the last row of a page: its time and id, opaque to callers. */
const encode = (placedAt: Date, id: string) =>
  Buffer.from(JSON.stringify([placedAt.toISOString(), id])).toString('base64url')

function decode(cursor: string): [Date, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string]
    const date = new Date(at)
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor')
    return [date, id]
  } catch {
    throw badRequest('cursor is not one this API gave out')
  }
}

/**
 * Orders newest first, keyset-paged on (placed_at, id). With a status, the runbook's
 * "orders WHERE status = 'pending'" is served by the (status, placed_at, id) index.
 */
export async function listOrders(
  ctx: AppContext,
  filter: OrderFilter,
): Promise<{ items: Omit<OrderView, 'lines'>[]; nextCursor: string | null }> {
  let query = ctx.db.selectFrom('orders').selectAll()
  if (filter.status) query = query.where('status', '=', filter.status)
  if (filter.channel) query = query.where('channel_code', '=', filter.channel)
  if (filter.market) query = query.where('market_code', '=', filter.market)
  if (filter.from) query = query.where('placed_at', '>=', new Date(filter.from))
  if (filter.to) query = query.where('placed_at', '<', new Date(filter.to))
  if (filter.cursor) {
    const [at, id] = decode(filter.cursor)
    query = query.where((eb) => eb(eb.refTuple('placed_at', 'id'), '<', eb.tuple(at, id)))
  }
  const rows = await query
    .orderBy('placed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute()
  const page = rows.slice(0, filter.limit)
  const last = page.at(-1)
  return {
    items: page.map(presentOrder),
    nextCursor: rows.length > filter.limit && last ? encode(new Date(last.placed_at), last.id) : null,
  }
}
