import { randomBytes } from 'node:crypto'
import type { Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { ProductionBatchesTable, Tables } from '../../platform/db/schema.ts'
import { AppError, notFound, validationFailed } from '../../platform/http/errors.ts'
import { recordMovement } from '../inventory/ledger.ts'
import { levelsOf } from '../inventory/levels.ts'
import { presentMovement } from '../inventory/movements.ts'
import { getBatch } from './query.ts'
import type { CompleteInput, Completion, DowntimeInput, PlanInput, StartInput } from './schemas.ts'

type Tx = Transaction<Tables>
type Status = ProductionBatchesTable['status']

const DAY = 86_400_000

/** Shelf life of a finished drink: a batch's output expires this many days after its completion day. */
export const SHELF_LIFE_DAYS = 540
/** Counts above this multiple of the planned quantity are taken for a typing error and refused. */
export const MAX_COUNT_FACTOR = 10
/** How far ahead of the server's clock an operator's time may be (clock skew on the shop floor). */
const FUTURE_TOLERANCE_MS = 15 * 60_000

/** Which status may follow which; nothing follows completed or cancelled. */
const NEXT: Record<Status, Status[]> = {
  planned: ['running', 'cancelled'],
  running: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
}

const invalid = (code: string, message: string) => new AppError(422, code, message)

/**
 * Units of a component a batch consumes: BOM quantity per unit × units made (good + rejected),
 * rounded up to whole units. The BOM holds four decimals, so the product is formed in
 * ten-thousandths: 0.1 × 30 is 3, not 3.0000000000000004 rounded up to 4.
 */
export function componentNeed(perUnit: number, units: number): number {
  return Math.ceil((Math.round(perUnit * 10_000) * units) / 10_000)
}

/** The expiry date (YYYY-MM-DD, UTC) of output completed at the given time. */
export const expiryOf = (completedAt: Date) =>
  new Date(completedAt.getTime() + SHELF_LIFE_DAYS * DAY).toISOString().slice(0, 10)

/** An operator's time, or now; refused when it lies ahead of the server's clock. */
function instant(ctx: AppContext, value: string | undefined, name: string): Date {
  const at = value ? new Date(value) : ctx.clock.now()
  if (at.getTime() > ctx.clock.ms() + FUTURE_TOLERANCE_MS)
    throw invalid('INVALID_DATE', `${name} lies in the future`)
  return at
}

async function lockBatch(tx: Tx, id: string) {
  const batch = await tx
    .selectFrom('production_batches')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  if (!batch) throw notFound(`No production batch ${id}`)
  return batch
}

function requireTransition(batch: { id: string; status: Status }, to: Status): void {
  if (!NEXT[batch.status].includes(to))
    throw new AppError(
      409,
      'INVALID_TRANSITION',
      `Batch ${batch.id} is ${batch.status}; it cannot become ${to}`,
    )
}

/** The given location, which must be a factory, or else the only factory there is. */
async function factoryFor(tx: Tx, code: string | undefined): Promise<string> {
  if (code) {
    const location = await tx
      .selectFrom('locations')
      .select(['code', 'kind'])
      .where('code', '=', code)
      .executeTakeFirst()
    if (!location) throw invalid('UNKNOWN_LOCATION', `No location ${code}`)
    if (location.kind !== 'factory')
      throw invalid('NOT_A_FACTORY', `${code} is a ${location.kind}; batches are made at a factory`)
    return code
  }
  const factories = await tx
    .selectFrom('locations')
    .select('code')
    .where('kind', '=', 'factory')
    .limit(2)
    .execute()
  if (factories.length !== 1)
    throw invalid(
      'LOCATION_REQUIRED',
      factories.length === 0 ? 'There is no factory location' : 'There are several factories: give location',
    )
  return factories[0]!.code
}

/**
 * L<yyyymmdd of the planned start, UTC>-<line>, e.g. L20260302-LINE-1; a second batch of that
 * day on that line gets -2, then -3, so a lot always names one batch.
 */
async function defaultLot(tx: Tx, plannedStart: Date, line: string): Promise<string> {
  const base = `L${plannedStart.toISOString().slice(0, 10).replaceAll('-', '')}-${line}`
  const taken = new Set(
    (
      await tx
        .selectFrom('production_batches')
        .select('lot')
        .where((eb) => eb.or([eb('lot', '=', base), eb('lot', 'like', `${base}-%`)]))
        .execute()
    ).map((row) => row.lot),
  )
  if (!taken.has(base)) return base
  let n = 2
  while (taken.has(`${base}-${n}`)) n++
  return `${base}-${n}`
}

/**
 * Plans a batch (a manager approves the plan): the line must exist, the SKU must be an active
 * finished product with a bill of materials, the location a factory. Returns the new id.
 */
export async function planBatch(
  tx: Tx,
  input: PlanInput,
  /** A connector gives the id it can find the batch by again (`unleashed-<guid>`). */
  id = `batch_${randomBytes(9).toString('base64url')}`,
): Promise<string> {
  const plannedStart = new Date(input.plannedStart)
  const plannedEnd = new Date(input.plannedEnd)
  if (!(plannedEnd > plannedStart)) throw validationFailed('plannedEnd must be after plannedStart')
  const line = await tx
    .selectFrom('production_lines')
    .select('code')
    .where('code', '=', input.line)
    .executeTakeFirst()
  if (!line) throw invalid('UNKNOWN_LINE', `No production line ${input.line}`)
  const product = await tx
    .selectFrom('products')
    .select(['kind', 'active'])
    .where('sku', '=', input.sku)
    .executeTakeFirst()
  if (!product) throw invalid('UNKNOWN_SKU', `No product ${input.sku}`)
  if (product.kind !== 'finished')
    throw invalid('NOT_A_FINISHED_PRODUCT', `${input.sku} is a component; only finished products are made`)
  if (!product.active) throw invalid('INACTIVE_SKU', `Product ${input.sku} is no longer made`)
  const bom = await tx
    .selectFrom('bom_lines')
    .select('component_sku')
    .where('product_sku', '=', input.sku)
    .executeTakeFirst()
  if (!bom) throw invalid('NO_BOM', `${input.sku} has no bill of materials`)
  const location = await factoryFor(tx, input.location)
  await tx
    .insertInto('production_batches')
    .values({
      id,
      line_code: input.line,
      sku: input.sku,
      location_code: location,
      lot: input.lot ?? (await defaultLot(tx, plannedStart, input.line)),
      status: 'planned',
      planned_quantity: input.plannedQuantity,
      planned_start: plannedStart,
      planned_end: plannedEnd,
    })
    .execute()
  return id
}

/** planned → running. A line runs one batch at a time. */
export async function startBatch(ctx: AppContext, tx: Tx, id: string, input: StartInput): Promise<void> {
  const batch = await lockBatch(tx, id)
  requireTransition(batch, 'running')
  const at = instant(ctx, input.at, 'at')
  // Locking the line makes two starts on it take turns, so both cannot pass the check below.
  await tx
    .selectFrom('production_lines')
    .select('code')
    .where('code', '=', batch.line_code)
    .forNoKeyUpdate()
    .execute()
  const running = await tx
    .selectFrom('production_batches')
    .select('id')
    .where('line_code', '=', batch.line_code)
    .where('status', '=', 'running')
    .executeTakeFirst()
  if (running)
    throw new AppError(
      409,
      'LINE_BUSY',
      `${batch.line_code} is running batch ${running.id}; complete or cancel it first`,
    )
  await tx
    .updateTable('production_batches')
    .set({ status: 'running', started_at: at })
    .where('id', '=', id)
    .execute()
}

/** A stop of a running batch; it counts against the batch's availability. */
export async function recordDowntime(
  ctx: AppContext,
  tx: Tx,
  id: string,
  input: DowntimeInput,
): Promise<void> {
  const batch = await lockBatch(tx, id)
  if (batch.status !== 'running')
    throw new AppError(
      409,
      'BATCH_NOT_RUNNING',
      `Batch ${id} is ${batch.status}; downtime is for a running batch`,
    )
  const startedAt = instant(ctx, input.startedAt, 'startedAt')
  if (startedAt < new Date(batch.started_at!))
    throw invalid('INVALID_DATE', 'startedAt is before the batch started')
  await tx
    .insertInto('production_downtime')
    .values({ batch_id: id, reason: input.reason.trim(), minutes: input.minutes, started_at: startedAt })
    .execute()
}

/**
 * running → completed, in the caller's transaction: every component of the bill of materials
 * is consumed at the batch's location (BOM quantity × units made, rounded up), the good units
 * are booked as output with the batch's lot and an expiry SHELF_LIFE_DAYS later, and the
 * counts are stored. A component the location does not have enough of fails the whole
 * completion in the ledger (409 INSUFFICIENT_STOCK), so nothing is written.
 */
export async function completeBatch(
  ctx: AppContext,
  tx: Tx,
  id: string,
  input: CompleteInput,
  actor: string,
): Promise<Completion> {
  const batch = await lockBatch(tx, id)
  requireTransition(batch, 'completed')
  const units = input.goodCount + input.rejectedCount
  if (units === 0) throw validationFailed('goodCount + rejectedCount must be more than 0')
  if (units > MAX_COUNT_FACTOR * batch.planned_quantity)
    throw invalid(
      'IMPLAUSIBLE_COUNT',
      `${units} units is more than ${MAX_COUNT_FACTOR} × the planned ${batch.planned_quantity}`,
    )
  const at = instant(ctx, input.at, 'at')
  const startedAt = new Date(batch.started_at!)
  if (at < startedAt) throw invalid('INVALID_DATE', 'at is before the batch started')
  const downtime = await tx
    .selectFrom('production_downtime')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('minutes'), eb.lit(0)).as('minutes'))
    .where('batch_id', '=', id)
    .executeTakeFirstOrThrow()
  const runMinutes = (at.getTime() - startedAt.getTime()) / 60_000
  if (Number(downtime.minutes) > runMinutes)
    throw invalid(
      'DOWNTIME_EXCEEDS_RUN',
      `${downtime.minutes} minutes of downtime recorded, but the batch ran ${Math.floor(runMinutes)} minutes`,
    )
  const bom = await tx
    .selectFrom('bom_lines')
    .select(['component_sku', 'quantity'])
    .where('product_sku', '=', batch.sku)
    .orderBy('component_sku')
    .execute()
  if (bom.length === 0) throw invalid('NO_BOM', `${batch.sku} has no bill of materials`)

  const reference = { type: 'batch', id }
  for (const line of bom)
    await recordMovement(tx, {
      kind: 'consumption',
      sku: line.component_sku,
      locationCode: batch.location_code,
      quantity: -componentNeed(Number(line.quantity), units),
      occurredAt: at,
      reference,
      actor,
    })
  if (input.goodCount > 0)
    await recordMovement(tx, {
      kind: 'production_output',
      sku: batch.sku,
      locationCode: batch.location_code,
      quantity: input.goodCount,
      occurredAt: at,
      lot: batch.lot,
      expiresOn: expiryOf(at),
      reference,
      actor,
    })
  await tx
    .updateTable('production_batches')
    .set({
      status: 'completed',
      good_count: input.goodCount,
      rejected_count: input.rejectedCount,
      ended_at: at,
    })
    .where('id', '=', id)
    .execute()

  const movements = await tx
    .selectFrom('stock_movements')
    .selectAll()
    .where('reference_type', '=', 'batch')
    .where('reference_id', '=', id)
    .orderBy('id')
    .execute()
  return {
    batch: await getBatch(tx, id),
    movements: movements.map(presentMovement),
    levels: await levelsOf(
      tx,
      movements.map((m) => ({ sku: m.sku, location: m.location_code })),
    ),
  }
}

/** planned or running → cancelled; nothing is consumed or made. */
export async function cancelBatch(ctx: AppContext, tx: Tx, id: string): Promise<{ from: Status }> {
  const batch = await lockBatch(tx, id)
  requireTransition(batch, 'cancelled')
  const startedAt = batch.started_at ? new Date(batch.started_at) : null
  await tx
    .updateTable('production_batches')
    .set({
      status: 'cancelled',
      // a running batch ends now (never before its start, which may lie a little ahead)
      ended_at: startedAt ? new Date(Math.max(ctx.clock.ms(), startedAt.getTime())) : null,
    })
    .where('id', '=', id)
    .execute()
  return { from: batch.status }
}
