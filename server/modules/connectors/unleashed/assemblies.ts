import type { Transaction } from 'kysely'
import type { UnleashedSettings } from '../../../config-connectors.ts'
import type { AppContext } from '../../../context.ts'
import type { Tables } from '../../../platform/db/schema.ts'
import { parseJsonDate } from '../../../platform/external-json.ts'
import { AppError } from '../../../platform/http/errors.ts'
import { cancelBatch, completeBatch, planBatch, startBatch } from '../../production/service.ts'
import type { SyncRun } from '../types.ts'
import { type Assembly, Assembly as AssemblySchema, eachPage } from './client.ts'
import { ACTOR, knownLocations, locationOf, type Tally } from './mapping.ts'

/**
 * Unleashed assemblies as production batches, id `unleashed-<Guid>`, lot the assembly number,
 * on UNLEASHED_PRODUCTION_LINE at the factory:
 * - an open assembly (Parked, …) is a planned batch, which the shop floor runs here (start,
 *   stops, counts), so its OEE is measured;
 * - a Completed one not run here (absent or still planned) is started and completed through the
 *   production service: the bill of materials is consumed and the quantity booked as output.
 *   Unleashed records no run time, stops or rejects, so it is placed at the line's ideal rate,
 *   ending at the assembly date, and marked unmeasured: its output counts, its OEE does not;
 * - a Deleted one cancels its batch while that is still planned.
 * A batch running, completed or cancelled here is the shop floor's and is left alone.
 */

const CLOSED = new Set(['Deleted', 'Voided'])
const HOUR = 3_600_000

type Tx = Transaction<Tables>
type Outcome = 'written' | 'known'
interface Line {
  code: string
  ratePerHour: number
}

async function lineFor(ctx: AppContext, settings: UnleashedSettings): Promise<Line | string> {
  let query = ctx.db.selectFrom('production_lines').select(['code', 'ideal_rate_per_hour']).limit(2)
  if (settings.productionLine) query = query.where('code', '=', settings.productionLine)
  const lines = await query.execute()
  if (lines.length === 1) return { code: lines[0]!.code, ratePerHour: Number(lines[0]!.ideal_rate_per_hour) }
  if (settings.productionLine) return `no production line ${settings.productionLine}`
  return lines.length ? 'several production lines: set UNLEASHED_PRODUCTION_LINE' : 'no production line'
}

export async function syncAssemblies(
  run: SyncRun<UnleashedSettings>,
  modifiedSince: string | undefined,
  tally: Tally,
): Promise<void> {
  const ctx = run.app
  const line = await lineFor(ctx, run.config)
  const locations = await knownLocations(ctx)
  await eachPage(run, 'Assemblies', AssemblySchema, { modifiedSince }, async (items) => {
    tally.fetched += items.length
    for (const assembly of items) {
      tally.seen(assembly.LastModifiedOn)
      if (typeof line === 'string') {
        tally.skip(line, assembly.AssemblyNumber)
        continue
      }
      const destination = locationOf(run.config, locations, assembly.DestinationWarehouse?.WarehouseCode)
      const factory = destination && locations.get(destination) === 'factory' ? destination : undefined
      try {
        const outcome = await ctx.db
          .transaction()
          .execute((tx) => bookAssembly(ctx, tx, assembly, line, factory))
        if (outcome === 'written') tally.written++
        else tally.skipped++
      } catch (error) {
        // A product without a bill of materials, components short of what the completion consumes, …
        if (!(error instanceof AppError)) throw error
        tally.skip(error.code, `${assembly.AssemblyNumber}: ${error.message}`)
      }
    }
  })
}

async function bookAssembly(
  ctx: AppContext,
  tx: Tx,
  assembly: Assembly,
  line: Line,
  location: string | undefined,
): Promise<Outcome> {
  const id = `unleashed-${assembly.Guid.toLowerCase()}`
  const existing = await tx
    .selectFrom('production_batches')
    .select('status')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  if (existing && existing.status !== 'planned') return 'known'
  if (CLOSED.has(assembly.AssemblyStatus)) {
    if (!existing) return 'known'
    await cancelBatch(ctx, tx, id)
    return 'written'
  }
  const quantity = Math.round(assembly.Quantity)
  if (quantity < 1) throw new AppError(422, 'NO_QUANTITY', `quantity ${assembly.Quantity}`)
  const runMs = Math.max(1000, Math.round((quantity / line.ratePerHour) * HOUR))
  const completed = assembly.AssemblyStatus === 'Completed'
  if (completed) {
    const completedAt = parseJsonDate(assembly.AssemblyDate) ?? parseJsonDate(assembly.LastModifiedOn)
    if (!completedAt) throw new AppError(422, 'NO_ASSEMBLY_DATE', 'a completed assembly without its date')
    const startedAt = new Date(completedAt.getTime() - runMs)
    if (!existing) await plan(tx, id, assembly, line, quantity, startedAt, runMs, location)
    await startBatch(ctx, tx, id, { at: startedAt.toISOString() })
    await completeBatch(
      ctx,
      tx,
      id,
      { goodCount: quantity, rejectedCount: 0, at: completedAt.toISOString() },
      ACTOR,
    )
    // Unleashed has no run time, stops or rejects for it: its output counts, its OEE does not.
    await tx.updateTable('production_batches').set({ measured: false }).where('id', '=', id).execute()
    return 'written'
  }
  if (existing) return 'known'
  const start = parseJsonDate(assembly.AssembleBy) ?? parseJsonDate(assembly.AssemblyDate) ?? ctx.clock.now()
  await plan(tx, id, assembly, line, quantity, start, runMs, location)
  return 'written'
}

function plan(
  tx: Tx,
  id: string,
  assembly: Assembly,
  line: Line,
  quantity: number,
  start: Date,
  runMs: number,
  location: string | undefined,
): Promise<string> {
  return planBatch(
    tx,
    {
      line: line.code,
      sku: assembly.Product.ProductCode,
      plannedQuantity: quantity,
      plannedStart: start.toISOString(),
      plannedEnd: new Date(start.getTime() + runMs).toISOString(),
      location,
      lot: assembly.AssemblyNumber.trim().slice(0, 40),
    },
    id,
  )
}
