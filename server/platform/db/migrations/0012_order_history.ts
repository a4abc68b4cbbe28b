import { type Kysely, sql } from 'kysely'

/**
 * Order status history: one row per status change after an order was booked, written in the
 * transaction of the change (the booking itself writes none; its entry is derived from the
 * order). Also a partial index on the ledger's lotted movements (the expiring-lots report reads
 * only those) and one on downtime by start (the downtime-reasons report filters by time).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table order_status_history (
    id bigserial primary key,
    order_id text not null references orders (id) on delete cascade,
    from_status text not null check (from_status in ('pending', 'paid', 'fulfilled', 'cancelled', 'refunded')),
    to_status text not null check (to_status in ('pending', 'paid', 'fulfilled', 'cancelled', 'refunded')),
    at timestamptz not null,
    actor_type text not null check (actor_type in ('user', 'apikey', 'system')),
    actor_id text,
    reason text,
    check (from_status <> to_status)
  )`.execute(db)
  await sql`create index order_status_history_order_idx on order_status_history (order_id, id)`.execute(db)
  await sql`create index stock_movements_lot_idx on stock_movements (sku, location_code, lot)
    where lot is not null`.execute(db)
  await sql`create index production_downtime_started_at_idx on production_downtime (started_at)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index production_downtime_started_at_idx`.execute(db)
  await sql`drop index stock_movements_lot_idx`.execute(db)
  await sql`drop table order_status_history`.execute(db)
}
