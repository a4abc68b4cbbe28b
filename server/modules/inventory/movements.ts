import { randomBytes } from 'node:crypto'
import type { Selectable, Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import { pageOf } from '../../platform/db/pagination.ts'
import type { MovementKind, StockMovementsTable, Tables } from '../../platform/db/schema.ts'
import { AppError, validationFailed } from '../../platform/http/errors.ts'
import { type Movement as LedgerMovement, recordMovement } from './ledger.ts'
import { levelsOf } from './levels.ts'
import type { Movement, MovementInput, MovementQuery, MovementResult } from './schemas.ts'

type Tx = Transaction<Tables>

const invalid = (code: string, message: string) => new AppError(422, code, message)

/** How far ahead of now a movement may be dated (clock skew between a scanner and the server). */
const FUTURE_TOLERANCE_MS = 24 * 3_600_000

/** The checks the body schema cannot express, because they depend on the kind. */
function checkShape(input: MovementInput): void {
  if (input.kind === 'adjustment') {
    if (input.quantity === 0) throw validationFailed('An adjustment must change stock: quantity may not be 0')
  } else if (input.quantity < 1) {
    throw validationFailed(`A ${input.kind} quantity must be a positive whole number (got ${input.quantity})`)
  }
  if (input.kind === 'transfer') {
    if (!input.toLocation) throw validationFailed('A transfer needs toLocation')
    if (input.toLocation === input.location)
      throw validationFailed('A transfer must go to another location than it comes from')
  } else if (input.toLocation !== undefined) {
    throw validationFailed('toLocation is only for transfers')
  }
}

async function requireKnown(tx: Tx, sku: string, locations: string[]): Promise<void> {
  const product = await tx.selectFrom('products').select('sku').where('sku', '=', sku).executeTakeFirst()
  if (!product) throw invalid('UNKNOWN_SKU', `No product ${sku}`)
  const known = await tx.selectFrom('locations').select('code').where('code', 'in', locations).execute()
  const missing = locations.find((code) => !known.some((row) => row.code === code))
  if (missing) throw invalid('UNKNOWN_LOCATION', `No location ${missing}`)
}

/** The ledger legs of a request: one movement, or the two of a transfer, with signed quantities. */
function legsOf(input: MovementInput): { kind: MovementKind; location: string; quantity: number }[] {
  const { location, quantity } = input
  switch (input.kind) {
    case 'transfer':
      return [
        { kind: 'transfer_out', location, quantity: -quantity },
        { kind: 'transfer_in', location: input.toLocation!, quantity },
      ]
    case 'consumption':
      return [{ kind: 'consumption', location, quantity: -quantity }]
    default:
      return [{ kind: input.kind, location, quantity }]
  }
}

/**
 * Records a person's stock movement in the caller's transaction through the ledger: a transfer
 * writes both legs (out, then in) with one shared reference, so either both land or, when the
 * source has too little, neither does (409 INSUFFICIENT_STOCK from the ledger).
 */
export async function postMovement(
  ctx: AppContext,
  tx: Tx,
  input: MovementInput,
  actor: string,
): Promise<MovementResult> {
  checkShape(input)
  const occurredAt = input.occurredAt ? new Date(input.occurredAt) : ctx.clock.now()
  if (occurredAt.getTime() > ctx.clock.ms() + FUTURE_TOLERANCE_MS)
    throw invalid('INVALID_DATE', 'occurredAt is more than a day in the future')
  const legs = legsOf(input)
  await requireKnown(
    tx,
    input.sku,
    legs.map((leg) => leg.location),
  )
  const reference =
    input.kind === 'transfer'
      ? { type: 'transfer', id: input.reference ?? `trf_${randomBytes(9).toString('base64url')}` }
      : input.reference
        ? { type: 'manual', id: input.reference }
        : undefined
  const movements: Movement[] = []
  for (const leg of legs) {
    const movement: LedgerMovement = {
      kind: leg.kind,
      sku: input.sku,
      locationCode: leg.location,
      quantity: leg.quantity,
      occurredAt,
      lot: input.lot ?? null,
      expiresOn: input.expiresOn ?? null,
      reference,
      note: input.note ?? null,
      actor,
    }
    await recordMovement(tx, movement)
    // The ledger does not return the row; the level row stays locked by this transaction until
    // commit, so the newest movement for this SKU × location is the one just written.
    const row = await tx
      .selectFrom('stock_movements')
      .selectAll()
      .where('sku', '=', input.sku)
      .where('location_code', '=', leg.location)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow()
    movements.push(presentMovement(row))
  }
  const levels = await levelsOf(
    tx,
    legs.map((leg) => ({ sku: input.sku, location: leg.location })),
  )
  return { movements, levels }
}

export function presentMovement(row: Selectable<StockMovementsTable>): Movement {
  return {
    id: String(row.id),
    kind: row.kind,
    sku: row.sku,
    location: row.location_code,
    quantity: row.quantity,
    lot: row.lot,
    expiresOn: row.expires_on,
    occurredAt: new Date(row.occurred_at).toISOString(),
    referenceType: row.reference_type,
    referenceId: row.reference_id,
    note: row.note,
    actor: row.actor,
  }
}

/** Ledger movements, newest first, keyset-paged on id. */
export async function listMovements(
  ctx: AppContext,
  query: MovementQuery,
): Promise<{ items: Movement[]; nextCursor: string | null }> {
  let select = ctx.db.selectFrom('stock_movements').selectAll()
  if (query.sku) select = select.where('sku', '=', query.sku)
  if (query.location) select = select.where('location_code', '=', query.location)
  if (query.kind) select = select.where('kind', '=', query.kind)
  if (query.from) select = select.where('occurred_at', '>=', new Date(query.from))
  if (query.to) select = select.where('occurred_at', '<', new Date(query.to))
  if (query.cursor) select = select.where('id', '<', query.cursor)
  const rows = await select
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute()
  return pageOf(rows, query.limit, presentMovement, (last) => String(last.id))
}
