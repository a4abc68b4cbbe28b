import { sql, type Transaction } from 'kysely'
import type { MovementKind, Tables } from '../../platform/db/schema.ts'
import { AppError } from '../../platform/http/errors.ts'

type Tx = Transaction<Tables>

export interface Movement {
  kind: MovementKind
  sku: string
  locationCode: string
  /** Signed: receipts, output, transfers in and returns add; sales, consumption and transfers out take. */
  quantity: number
  occurredAt: Date
  lot?: string | null
  expiresOn?: string | null
  reference?: { type: string; id: string }
  note?: string | null
  actor: string
}

/** The sign each kind must have; an adjustment may go either way. */
const DIRECTION: Record<MovementKind, 1 | -1 | 0> = {
  receipt: 1,
  production_output: 1,
  transfer_in: 1,
  return: 1,
  sale: -1,
  consumption: -1,
  transfer_out: -1,
  adjustment: 0,
}

/**
 * Appends a movement to the ledger and moves the derived level and the day's net movement
 * (`stock_daily`) in the same transaction (the caller's). The level row is locked while it changes, so concurrent movements add up; a
 * movement that would take on-hand stock below zero is refused and nothing is written.
 */
export async function recordMovement(tx: Tx, movement: Movement): Promise<{ onHand: number }> {
  const { kind, sku, locationCode, quantity } = movement
  if (!Number.isInteger(quantity) || quantity === 0)
    throw new AppError(400, 'INVALID_QUANTITY', 'A movement quantity must be a whole number other than 0')
  const direction = DIRECTION[kind]
  if (direction !== 0 && Math.sign(quantity) !== direction)
    throw new AppError(
      400,
      'INVALID_QUANTITY',
      `A ${kind} movement must be ${direction > 0 ? 'positive' : 'negative'} (got ${quantity})`,
    )
  const level = await tx
    .insertInto('stock_levels')
    .values({ sku, location_code: locationCode, on_hand: quantity, updated_at: movement.occurredAt })
    .onConflict((oc) =>
      oc.columns(['sku', 'location_code']).doUpdateSet({
        on_hand: sql`stock_levels.on_hand + ${quantity}`,
        updated_at: sql`now()`,
      }),
    )
    .returning('on_hand')
    .executeTakeFirstOrThrow()
  if (level.on_hand < 0)
    throw new AppError(
      409,
      'INSUFFICIENT_STOCK',
      `Only ${level.on_hand - quantity} of ${sku} on hand at ${locationCode}; cannot take ${-quantity}`,
    )
  await tx
    .insertInto('stock_movements')
    .values({
      kind,
      sku,
      location_code: locationCode,
      quantity,
      occurred_at: movement.occurredAt,
      lot: movement.lot ?? null,
      expires_on: movement.expiresOn ?? null,
      reference_type: movement.reference?.type ?? null,
      reference_id: movement.reference?.id ?? null,
      note: movement.note ?? null,
      actor: movement.actor,
    })
    .execute()
  await tx
    .insertInto('stock_daily')
    .values({
      day: movement.occurredAt.toISOString().slice(0, 10),
      sku,
      location_code: locationCode,
      kind,
      quantity,
    })
    .onConflict((oc) =>
      oc
        .columns(['day', 'sku', 'location_code', 'kind'])
        .doUpdateSet({ quantity: sql`stock_daily.quantity + ${quantity}` }),
    )
    .execute()
  return { onHand: level.on_hand }
}

/** Reserves stock for an order's lines (available may go below zero: a backorder, shown as critical). */
export async function reserve(
  tx: Tx,
  orderId: string,
  locationCode: string,
  lines: { sku: string; quantity: number }[],
): Promise<void> {
  const bySku = new Map<string, number>()
  for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity)
  for (const [sku, quantity] of bySku) {
    await tx
      .insertInto('stock_levels')
      .values({ sku, location_code: locationCode, reserved: quantity })
      .onConflict((oc) =>
        oc.columns(['sku', 'location_code']).doUpdateSet({
          reserved: sql`stock_levels.reserved + ${quantity}`,
          updated_at: sql`now()`,
        }),
      )
      .execute()
    await tx
      .insertInto('stock_reservations')
      .values({ order_id: orderId, sku, location_code: locationCode, quantity })
      .execute()
  }
}

/** Releases whatever an order still has reserved (cancellation, refund, fulfilment). */
export async function release(
  tx: Tx,
  orderId: string,
): Promise<{ sku: string; locationCode: string; quantity: number }[]> {
  const held = await tx
    .deleteFrom('stock_reservations')
    .where('order_id', '=', orderId)
    .returningAll()
    .execute()
  for (const row of held) {
    await tx
      .updateTable('stock_levels')
      .set({ reserved: sql`greatest(reserved - ${row.quantity}, 0)`, updated_at: sql`now()` })
      .where('sku', '=', row.sku)
      .where('location_code', '=', row.location_code)
      .execute()
  }
  return held.map((row) => ({ sku: row.sku, locationCode: row.location_code, quantity: row.quantity }))
}
