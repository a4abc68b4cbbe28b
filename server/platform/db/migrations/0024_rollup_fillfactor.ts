import { type Kysely, sql } from 'kysely'

/**
 * Room on every page of the tables that are mostly updated in place (the sales rollups, order
 * totals, stock levels and the day's stock movements): each order adds to rows that already
 * exist, and an update whose new row version fits on the same page is a HOT update, which writes
 * no index entry and leaves no dead one for the next upsert's unique check to step over. At the
 * default (100) most of these updates were not HOT. Pages written from now on keep the room.
 */
const TABLES = ['sales_hourly', 'sales_daily', 'order_totals_hourly', 'stock_levels', 'stock_daily']

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await sql`alter table ${sql.table(table)} set (fillfactor = 50)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await sql`alter table ${sql.table(table)} reset (fillfactor)`.execute(db)
}
