import type { Selectable } from 'kysely'
import type { AppContext } from '../../context.ts'
import { pageOf } from '../../platform/db/pagination.ts'
import type { ImportRunsTable } from '../../platform/db/schema.ts'
import { cursorTime, decodeCursor, encodeCursor } from '../../platform/http/cursor.ts'
import { notFound } from '../../platform/http/errors.ts'
import type { Actor, RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import type { ImportReport } from './report.ts'
import type { ImportType } from './types.ts'

/** The history of real imports (`import_runs`): started, then completed with the report. */

export async function startRun(
  ctx: AppContext,
  run: { id: string; type: ImportType; file: string | null; actor: Actor },
): Promise<void> {
  await ctx.db
    .insertInto('import_runs')
    .values({
      id: run.id,
      type: run.type,
      file_name: run.file,
      status: 'running',
      actor_type: run.actor.type,
      actor_id: run.actor.id,
      started_at: ctx.clock.now(),
    })
    .execute()
}

/** Stores the report and records the import in the audit log, in one transaction. */
export async function finishRun(
  ctx: AppContext,
  id: string,
  report: ImportReport,
  actor: Actor,
  request?: RequestFacts,
): Promise<void> {
  const summary = {
    type: report.type,
    file: report.file,
    status: report.status,
    rows: report.rows,
    created: report.created,
    updated: report.updated,
    skipped: report.skipped,
    failed: report.failed,
    batchesCommitted: report.batches.committed,
    batchesRolledBack: report.batches.rolledBack,
  }
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('import_runs')
      .set({
        status: report.status,
        finished_at: ctx.clock.now(),
        rows_read: report.rows,
        created: report.created,
        updated: report.updated,
        skipped: report.skipped,
        failed: report.failed,
        report: JSON.stringify(report),
      })
      .where('id', '=', id)
      .execute()
    await recordAudit(tx, {
      actor,
      action: 'data_import',
      target: { type: 'import', id },
      request,
      newValues: summary,
    })
  })
}

export interface ImportRunSummary {
  id: string
  type: ImportType
  file: string | null
  status: ImportRunsTable['status']
  actor: string
  startedAt: string
  finishedAt: string | null
  rows: number
  created: number
  updated: number
  skipped: number
  failed: number
}

const present = (row: Selectable<ImportRunsTable>): ImportRunSummary => ({
  id: row.id,
  type: row.type,
  file: row.file_name,
  status: row.status,
  actor: row.actor_id ? `${row.actor_type}:${row.actor_id}` : row.actor_type,
  startedAt: new Date(row.started_at).toISOString(),
  finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  rows: row.rows_read,
  created: row.created,
  updated: row.updated,
  skipped: row.skipped,
  failed: row.failed,
})

/** Past imports, newest first, keyset-paged on (started_at, id). */
export async function listRuns(
  ctx: AppContext,
  query: { type?: ImportType; limit: number; cursor?: string },
): Promise<{ items: ImportRunSummary[]; nextCursor: string | null }> {
  let select = ctx.db.selectFrom('import_runs').selectAll()
  if (query.type) select = select.where('type', '=', query.type)
  if (query.cursor) {
    const [at = '', id = ''] = decodeCursor(query.cursor, 2)
    select = select.where((eb) => eb(eb.refTuple('started_at', 'id'), '<', eb.tuple(cursorTime(at), id)))
  }
  const rows = await select
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute()
  return pageOf(rows, query.limit, present, (last) =>
    encodeCursor([new Date(last.started_at).toISOString(), last.id]),
  )
}

/** One import with its report (null while it runs). */
export async function getRun(
  ctx: AppContext,
  id: string,
): Promise<ImportRunSummary & { report: ImportReport | null }> {
  const row = await ctx.db.selectFrom('import_runs').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound(`No import ${id}`)
  return { ...present(row), report: (row.report as ImportReport | null) ?? null }
}
