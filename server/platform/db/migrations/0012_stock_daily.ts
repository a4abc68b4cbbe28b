import { type Kysely, sql } from 'kysely'

/**
 * Net stock movement per UTC day × SKU × location × kind, kept in step with the ledger (same
 * transaction). Stock on any past day, and consumption per day, are read from it: its size grows
 * with days and items, not with the number of orders, so working capital stays cheap at scale.
 * Also an index on storefront sessions by hour, for the overview's conversion rate.
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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index storefront_sessions_hour_idx`.execute(db)
  await sql`drop table stock_daily`.execute(db)
}
