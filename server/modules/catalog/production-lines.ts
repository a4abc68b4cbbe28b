import type { Selectable } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { ProductionLinesTable } from '../../platform/db/schema.ts'
import { notFound } from '../../platform/http/errors.ts'
import type { ProductionLine } from './schemas.ts'
import { auditCreate, auditUpdate, type Change, write } from './writes.ts'

/** Production lines and their ideal rate (the basis of OEE performance); batches refer to them. */

const presentLine = (row: Selectable<ProductionLinesTable>): ProductionLine => ({
  code: row.code,
  name: row.name,
  idealRatePerHour: Number(row.ideal_rate_per_hour),
})

const lineRow = (line: ProductionLine) => ({
  code: line.code,
  name: line.name,
  ideal_rate_per_hour: line.idealRatePerHour,
})

export async function listProductionLines(ctx: AppContext): Promise<ProductionLine[]> {
  const rows = await ctx.db.selectFrom('production_lines').selectAll().orderBy('code').execute()
  return rows.map(presentLine)
}

export async function getProductionLine(ctx: AppContext, code: string): Promise<ProductionLine> {
  const row = await ctx.db
    .selectFrom('production_lines')
    .selectAll()
    .where('code', '=', code)
    .executeTakeFirst()
  if (!row) throw notFound(`No production line ${code}`)
  return presentLine(row)
}

export function createProductionLine(
  ctx: AppContext,
  line: ProductionLine,
  change: Change,
): Promise<ProductionLine> {
  return write(ctx, `Production line ${line.code} already exists`, async (tx) => {
    const row = await tx
      .insertInto('production_lines')
      .values(lineRow(line))
      .returningAll()
      .executeTakeFirstOrThrow()
    const created = presentLine(row)
    await auditCreate(tx, { type: 'production_line', id: line.code }, created, change)
    return created
  })
}

export function updateProductionLine(
  ctx: AppContext,
  code: string,
  patch: Partial<ProductionLine>,
  change: Change,
): Promise<ProductionLine> {
  return write(ctx, `Production line ${code} already exists`, async (tx) => {
    const current = await tx
      .selectFrom('production_lines')
      .selectAll()
      .where('code', '=', code)
      .forUpdate()
      .executeTakeFirst()
    if (!current) throw notFound(`No production line ${code}`)
    const before = presentLine(current)
    const row = await tx
      .updateTable('production_lines')
      .set(lineRow({ ...before, ...patch, code }))
      .where('code', '=', code)
      .returningAll()
      .executeTakeFirstOrThrow()
    const after = presentLine(row)
    await auditUpdate(tx, { type: 'production_line', id: code }, before, after, change)
    return after
  })
}
