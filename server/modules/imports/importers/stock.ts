import { sql } from 'kysely'
import type { MovementKind } from '../../../platform/db/schema.ts'
import { AppError } from '../../../platform/http/errors.ts'
import { actorLabel } from '../../../platform/http/principal.ts'
import { type Movement, recordMovement } from '../../inventory/ledger.ts'
import { RowCheck } from '../check.ts'
import { loadReference, type Reference } from '../reference.ts'
import type { Importer, Row, RowError } from '../types.ts'
import { type Parsed, parseDateTime, parseDay, parseInteger } from '../values.ts'

/**
 * Stock movements, one per row, through the ledger (`recordMovement`), so levels stay derived
 * and a movement that would take stock below zero is refused as in the API. Each row carries a
 * `reference`, unique per file and stored on its movements (reference type `csv`): a row whose
 * reference is in the ledger already was imported before and is skipped. A transfer row writes
 * both legs (out of `location`, into `to_location`) under its reference.
 */

const TYPES = ['receipt', 'adjustment', 'consumption', 'production_output', 'return', 'transfer'] as const
type RowType = (typeof TYPES)[number]
const FUTURE_TOLERANCE_MS = 24 * 3_600_000

const text =
  (max: number) =>
  (value: string): Parsed<string> =>
    value.length <= max ? { value } : { error: `is longer than ${max} characters` }

interface State {
  reference: Reference
  skus: Set<string>
  now: Date
}

export const stockImporter: Importer<State, Checked[]> = {
  type: 'stock',
  access: 'operator',
  record: 'movement',
  required: ['reference', 'sku', 'location', 'type', 'quantity'],
  optional: ['to_location', 'occurred_at', 'lot', 'expiry', 'note'],
  keyColumn: 'reference',
  key: (row) => row.get('reference'),

  async prepare(run) {
    const reference = await loadReference(run.ctx.db)
    return { reference, skus: new Set(reference.products.keys()), now: run.ctx.clock.now() }
  },

  check(state, rows) {
    const records = rows.map((row) => checkMovement(row, state))
    return { errors: records.flatMap((c) => c.errors), records }
  },

  async write(run, tx, _state, checked) {
    const refs = checked.map((c) => c.reference!)
    const existing = await sql<{ reference_id: string }>`
      select distinct reference_id from stock_movements
      where reference_type = 'csv' and reference_id = any(${refs}::text[])`.execute(tx)
    const imported = new Set(existing.rows.map((r) => r.reference_id))
    let created = 0
    for (const { row, legs, reference } of checked) {
      if (imported.has(reference!)) continue
      for (const leg of legs!) {
        try {
          await recordMovement(tx, {
            ...leg,
            reference: { type: 'csv', id: reference! },
            actor: actorLabel(run.actor),
          })
        } catch (error) {
          if (!(error instanceof AppError)) throw error
          // The ledger refused; the batch is rolled back, so later rows are not tried against it.
          return {
            created: 0,
            updated: 0,
            skipped: 0,
            errors: [{ row: row.line, column: 'quantity', message: error.message }],
          }
        }
      }
      created += 1
    }
    return { created, updated: 0, skipped: imported.size, errors: [] }
  },
}

type Leg = Omit<Movement, 'reference' | 'actor'>

interface Checked {
  row: Row
  reference?: string
  legs?: Leg[]
  errors: RowError[]
}

function checkMovement(row: Row, { reference: ref, skus, now }: State): Checked {
  const check = new RowCheck(row)
  const reference = check.required('reference', text(100))
  const sku = check.required('sku', (v) => (skus.has(v) ? { value: v } : { error: `no product ${v}` }))
  const known = (v: string): Parsed<string> =>
    ref.locations.has(v) ? { value: v } : { error: `no location ${v}` }
  const location = check.required('location', known)
  const type = check.required(
    'type',
    (v): Parsed<RowType> =>
      (TYPES as readonly string[]).includes(v)
        ? { value: v as RowType }
        : { error: `"${v}" is not one of ${TYPES.join(', ')}` },
  )
  const quantity = check.required('quantity', (v) => parseInteger(v, -1_000_000, 1_000_000))
  const toLocation = check.optional('to_location', known)
  const occurredAt = check.optional('occurred_at', parseDateTime) ?? now
  if (occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS)
    check.fail('occurred_at', 'occurred_at is more than a day in the future')
  const lot = check.optional('lot', text(100)) ?? null
  const expiresOn = check.optional('expiry', parseDay) ?? null
  const note = check.optional('note', text(500)) ?? null
  if (quantity !== undefined && type) {
    if (type === 'adjustment' && quantity === 0)
      check.fail('quantity', 'An adjustment must change stock: quantity may not be 0')
    if (type !== 'adjustment' && quantity < 1)
      check.fail('quantity', `A ${type} quantity must be a positive whole number (got ${quantity})`)
  }
  if (type === 'transfer' && !row.get('to_location'))
    check.fail('to_location', 'A transfer needs to_location')
  if (type === 'transfer' && toLocation && toLocation === location)
    check.fail('to_location', 'A transfer must go to another location than it comes from')
  if (type && type !== 'transfer' && row.get('to_location'))
    check.fail('to_location', 'to_location is only for transfers')
  if (!check.ok) return { row, errors: check.errors }

  const leg = (kind: MovementKind, at: string, signed: number): Leg => ({
    kind,
    sku: sku!,
    locationCode: at,
    quantity: signed,
    occurredAt,
    lot,
    expiresOn,
    note,
  })
  const legs =
    type === 'transfer'
      ? [leg('transfer_out', location!, -quantity!), leg('transfer_in', toLocation!, quantity!)]
      : [leg(type!, location!, type === 'consumption' ? -quantity! : quantity!)]
  return { row, reference, legs, errors: [] }
}
