import type { Kysely, Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import { pageOf } from '../../platform/db/pagination.ts'
import type { Tables } from '../../platform/db/schema.ts'
import { cursorTime, decodeCursor, encodeCursor } from '../../platform/http/cursor.ts'
import { notFound } from '../../platform/http/errors.ts'
import { oee } from './oee.ts'
import { type BatchRow, batchRows, oeeInputOf, roundOee } from './report.ts'
import type { Batch, BatchQuery } from './schemas.ts'

type Executor = Kysely<Tables> | Transaction<Tables>

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())

export function presentBatch(row: BatchRow): Batch {
  return {
    id: row.id,
    line: row.line_code,
    sku: row.sku,
    location: row.location_code,
    lot: row.lot,
    status: row.status,
    plannedQuantity: row.planned_quantity,
    goodCount: row.good_count,
    rejectedCount: row.rejected_count,
    plannedStart: iso(row.planned_start)!,
    plannedEnd: iso(row.planned_end)!,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    downtimeMinutes: Number(row.downtime ?? 0),
    oee: row.status === 'completed' && row.measured ? roundOee(oee(oeeInputOf(row))) : null,
  }
}

export async function getBatch(db: Executor, id: string): Promise<Batch> {
  const row = await batchRows(db).where('b.id', '=', id).executeTakeFirst()
  if (!row) throw notFound(`No production batch ${id}`)
  return presentBatch(row)
}

/** Batches, latest planned start first, keyset-paged on (planned_start, id). */
export async function listBatches(
  ctx: AppContext,
  query: BatchQuery,
): Promise<{ items: Batch[]; nextCursor: string | null }> {
  let select = batchRows(ctx.db)
  if (query.line) select = select.where('b.line_code', '=', query.line)
  if (query.sku) select = select.where('b.sku', '=', query.sku)
  if (query.status) select = select.where('b.status', '=', query.status)
  if (query.from) select = select.where('b.planned_start', '>=', new Date(query.from))
  if (query.to) select = select.where('b.planned_start', '<', new Date(query.to))
  if (query.cursor) {
    const [start = '', id = ''] = decodeCursor(query.cursor, 2)
    const at = cursorTime(start)
    select = select.where((eb) => eb(eb.refTuple('b.planned_start', 'b.id'), '<', eb.tuple(at, id)))
  }
  const rows = await select
    .orderBy('b.planned_start', 'desc')
    .orderBy('b.id', 'desc')
    .limit(query.limit + 1)
    .execute()
  return pageOf(rows, query.limit, presentBatch, (last) =>
    encodeCursor([new Date(last.planned_start).toISOString(), last.id]),
  )
}
