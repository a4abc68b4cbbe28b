import { type Kysely, sql } from 'kysely'

/**
 * Net stock movement per UTC day × SKU × location × kind, kept in step with the ledger (same
 * transaction). Stock on any past day, and consumption per day, are read from it: its size grows
 * with days and items, not with the number of orders, so working capital stays cheap at scale.
 * Also `production_batches.measured`, and indexes on storefront sessions by hour (the overview's conversion rate) and on the age of
 * idempotency keys and webhook deliveries (the retention job).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table stock_daily (
    day date not null,
    sku text not null,
    location_code text not null,
    kind text not null,
    quantity integer not null,
    primary key (day, sku, location_code, kind)
  )`.execute(db)
  await sql`insert into stock_daily (day, sku, location_code, kind, quantity)
    select (occurred_at at time zone 'UTC')::date, sku, location_code, kind, sum(quantity)::int
    from stock_movements group by 1, 2, 3, 4`.execute(db)
  // Conversion reads the last day of sessions of every channel: by hour, not by channel first.
  await sql`create index storefront_sessions_hour_idx on storefront_sessions (hour)`.execute(db)
  // A batch booked from another system's records (an Unleashed assembly) has no measured run
  // time, stops or rejects: its output counts, its OEE does not.
  await sql`alter table production_batches add column measured boolean not null default true`.execute(db)
  // The hourly retention job deletes by age.
  await sql`create index idempotency_keys_created_at_idx on idempotency_keys (created_at)`.execute(db)
  await sql`create index webhook_deliveries_received_at_idx on webhook_deliveries (received_at)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table production_batches drop column measured`.execute(db)
  await sql`drop index webhook_deliveries_received_at_idx`.execute(db)
  await sql`drop index idempotency_keys_created_at_idx`.execute(db)
  await sql`drop index storefront_sessions_hour_idx`.execute(db)
  await sql`drop table stock_daily`.execute(db)
}
