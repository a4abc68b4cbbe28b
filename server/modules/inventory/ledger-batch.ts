import { sql, type Transaction } from 'kysely'
import type { Tables } from '../../platform/db/schema.ts'
import { unnestRows } from '../../platform/db/unnest.ts'
import { AppError } from '../../platform/http/errors.ts'
import type { Movement } from './ledger.ts'

type Tx = Transaction<Tables>

const key = (sku: string, location: string) => `${sku}\u0000${location}`

/**
 * Many movements at once, with the same outcome as `recordMovement` called for each in order
 * (bulk imports use it): the ledger rows, the derived levels and the day's net movements
 * (`stock_daily`), in a few set-based statements in the caller's transaction. The levels
 * concerned are locked first; a movement that would take on-hand stock below zero, counting the
 * movements before it, refuses the whole call with 409 INSUFFICIENT_STOCK and `details.index`
 * (the caller rolls its transaction back). Quantities must be signed as `recordMovement` checks.
 */
export async function recordMovements(tx: Tx, movements: readonly Movement[]): Promise<void> {
  if (movements.length === 0) return
  for (const movement of movements)
    if (!Number.isInteger(movement.quantity) || movement.quantity === 0)
      throw new AppError(400, 'INVALID_QUANTITY', 'A movement quantity must be a whole number other than 0')

  const pairs = new Map<string, { sku: string; location: string; delta: number; first: string }>()
  for (const m of movements) {
    const k = key(m.sku, m.locationCode)
    const pair = pairs.get(k) ?? {
      sku: m.sku,
      location: m.locationCode,
      delta: 0,
      first: m.occurredAt.toISOString(),
    }
    pair.delta += m.quantity
    pairs.set(k, pair)
  }
  const list = [...pairs.values()]
  const current = await sql<{ sku: string; location_code: string; on_hand: number }>`
    select sku, location_code, on_hand from stock_levels
    where (sku, location_code) in (
      select sku, location from ${unnestRows(list, { sku: 'text', location: 'text' })})
    for update`.execute(tx)
  const onHand = new Map(current.rows.map((row) => [key(row.sku, row.location_code), row.on_hand]))
  movements.forEach((m, index) => {
    const k = key(m.sku, m.locationCode)
    const level = (onHand.get(k) ?? 0) + m.quantity
    if (level < 0)
      throw new AppError(
        409,
        'INSUFFICIENT_STOCK',
        `Only ${level - m.quantity} of ${m.sku} on hand at ${m.locationCode}; cannot take ${-m.quantity}`,
        { index },
      )
    onHand.set(k, level)
  })

  // A level created here starts at the first movement's time, as recordMovement's insert does.
  await sql`
    insert into stock_levels (sku, location_code, on_hand, updated_at)
    select * from ${unnestRows(list, { sku: 'text', location: 'text', delta: 'int', first: 'timestamptz' })}
    on conflict (sku, location_code) do update
      set on_hand = stock_levels.on_hand + excluded.on_hand, updated_at = now()`.execute(tx)

  const rows = movements.map((m) => ({
    kind: m.kind,
    sku: m.sku,
    location: m.locationCode,
    quantity: m.quantity,
    occurred_at: m.occurredAt.toISOString(),
    lot: m.lot ?? null,
    expires_on: m.expiresOn ?? null,
    reference_type: m.reference?.type ?? null,
    reference_id: m.reference?.id ?? null,
    note: m.note ?? null,
    actor: m.actor,
  }))
  await sql`
    insert into stock_movements (kind, sku, location_code, quantity, occurred_at, lot, expires_on,
      reference_type, reference_id, note, actor)
    select * from ${unnestRows(rows, {
      kind: 'text',
      sku: 'text',
      location: 'text',
      quantity: 'int',
      occurred_at: 'timestamptz',
      lot: 'text',
      expires_on: 'date',
      reference_type: 'text',
      reference_id: 'text',
      note: 'text',
      actor: 'text',
    })}`.execute(tx)

  const days = new Map<
    string,
    { day: string; sku: string; location: string; kind: string; quantity: number }
  >()
  for (const m of movements) {
    const day = m.occurredAt.toISOString().slice(0, 10)
    const k = [day, m.sku, m.locationCode, m.kind].join('\u0000')
    const row = days.get(k) ?? { day, sku: m.sku, location: m.locationCode, kind: m.kind, quantity: 0 }
    row.quantity += m.quantity
    days.set(k, row)
  }
  await sql`
    insert into stock_daily (day, sku, location_code, kind, quantity)
    select * from ${unnestRows([...days.values()], {
      day: 'date',
      sku: 'text',
      location: 'text',
      kind: 'text',
      quantity: 'int',
    })}
    on conflict (day, sku, location_code, kind) do update
      set quantity = stock_daily.quantity + excluded.quantity`.execute(tx)
}
