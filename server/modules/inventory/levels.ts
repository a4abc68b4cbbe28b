import type { Kysely, Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import { pageOf } from '../../platform/db/pagination.ts'
import type { Tables } from '../../platform/db/schema.ts'
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.ts'
import type { Level, LevelQuery } from './schemas.ts'

type Executor = Kysely<Tables> | Transaction<Tables>

function levelsQuery(db: Executor) {
  return db
    .selectFrom('stock_levels')
    .innerJoin('products', 'products.sku', 'stock_levels.sku')
    .select([
      'stock_levels.sku',
      'products.name',
      'products.kind',
      'stock_levels.location_code',
      'stock_levels.on_hand',
      'stock_levels.reserved',
    ])
}

type LevelRow = Awaited<ReturnType<ReturnType<typeof levelsQuery>['execute']>>[number]

const presentLevel = (row: LevelRow): Level => ({
  sku: row.sku,
  name: row.name,
  kind: row.kind,
  location: row.location_code,
  onHand: row.on_hand,
  reserved: row.reserved,
  available: row.on_hand - row.reserved,
})

/** Stock per SKU × location, keyset-paged on (sku, location). */
export async function listLevels(
  ctx: AppContext,
  query: LevelQuery,
): Promise<{ items: Level[]; nextCursor: string | null }> {
  let select = levelsQuery(ctx.db)
  if (query.sku) select = select.where('stock_levels.sku', '=', query.sku)
  if (query.location) select = select.where('stock_levels.location_code', '=', query.location)
  if (query.kind) select = select.where('products.kind', '=', query.kind)
  if (query.cursor) {
    const [sku = '', location = ''] = decodeCursor(query.cursor, 2)
    select = select.where((eb) =>
      eb(eb.refTuple('stock_levels.sku', 'stock_levels.location_code'), '>', eb.tuple(sku, location)),
    )
  }
  const rows = await select
    .orderBy('stock_levels.sku')
    .orderBy('stock_levels.location_code')
    .limit(query.limit + 1)
    .execute()
  return pageOf(rows, query.limit, presentLevel, (last) => encodeCursor([last.sku, last.location_code]))
}

/** The levels of the given SKU × location pairs, in the caller's transaction. */
export async function levelsOf(db: Executor, pairs: { sku: string; location: string }[]): Promise<Level[]> {
  const levels: Level[] = []
  for (const { sku, location } of pairs) {
    const row = await levelsQuery(db)
      .where('stock_levels.sku', '=', sku)
      .where('stock_levels.location_code', '=', location)
      .executeTakeFirst()
    if (row) levels.push(presentLevel(row))
  }
  return levels
}
