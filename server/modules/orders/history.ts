import type { Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { OrderSource, OrderStatus, Tables } from '../../platform/db/schema.ts'
import { notFound } from '../../platform/http/errors.ts'
import type { Actor } from '../../platform/http/principal.ts'

type Tx = Transaction<Tables>

export interface StatusChange {
  orderId: string
  from: OrderStatus
  to: OrderStatus
  at: Date
  actor: Actor
  reason?: string | null
}

/** Appends one status change; pass the transaction of the change so both commit or neither. */
export async function recordStatusChange(tx: Tx, change: StatusChange): Promise<void> {
  await tx
    .insertInto('order_status_history')
    .values({
      order_id: change.orderId,
      from_status: change.from,
      to_status: change.to,
      at: change.at,
      actor_type: change.actor.type,
      actor_id: change.actor.id,
      reason: change.reason ?? null,
    })
    .execute()
}

export interface HistoryEntry {
  kind: 'placed' | 'status_change'
  at: string
  from: OrderStatus | null
  to: OrderStatus
  actor: { type: 'user' | 'apikey' | 'system'; id: string | null; name: string | null } | null
  reason: string | null
}

export interface OrderHistory {
  orderId: string
  source: OrderSource
  items: HistoryEntry[]
}

/**
 * An order's history, oldest first. The booking writes no row (order intake stays as it is), so
 * the first entry, "placed", is derived from the order: at its placed_at, in the status it was
 * booked in (the first change's from, else its status now), with no actor (only its source is
 * known). Then every stored change, with who made it as the audit log records actors and, for
 * people and API keys, their name. An order booked straight into a later status (a CSV import,
 * the demo data) has only the "placed" entry: no earlier steps are invented.
 */
export async function orderHistory(ctx: AppContext, orderId: string): Promise<OrderHistory> {
  const order = await ctx.db
    .selectFrom('orders')
    .select(['id', 'source', 'status', 'placed_at'])
    .where('id', '=', orderId)
    .executeTakeFirst()
  if (!order) throw notFound(`No order ${orderId}`)
  const rows = await ctx.db
    .selectFrom('order_status_history as h')
    .leftJoin('users as u', (join) => join.onRef('u.id', '=', 'h.actor_id').on('h.actor_type', '=', 'user'))
    // api_keys.id is a uuid, actor ids are text
    .leftJoin('api_keys as k', (join) =>
      join
        .on((eb) => eb(eb.cast('k.id', 'text'), '=', eb.ref('h.actor_id')))
        .on('h.actor_type', '=', 'apikey'),
    )
    .select([
      'h.from_status',
      'h.to_status',
      'h.at',
      'h.actor_type',
      'h.actor_id',
      'h.reason',
      'u.name as user_name',
      'k.name as key_name',
    ])
    .where('h.order_id', '=', orderId)
    .orderBy('h.id')
    .execute()
  const placed: HistoryEntry = {
    kind: 'placed',
    at: new Date(order.placed_at).toISOString(),
    from: null,
    to: rows[0]?.from_status ?? order.status,
    actor: null,
    reason: null,
  }
  return {
    orderId: order.id,
    source: order.source,
    items: [
      placed,
      ...rows.map(
        (row): HistoryEntry => ({
          kind: 'status_change',
          at: new Date(row.at).toISOString(),
          from: row.from_status,
          to: row.to_status,
          actor: { type: row.actor_type, id: row.actor_id, name: row.user_name ?? row.key_name ?? null },
          reason: row.reason,
        }),
      ),
    ],
  }
}
