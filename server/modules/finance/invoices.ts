import { sql, type Transaction } from 'kysely'
import type { Tables } from '../../platform/db/schema.ts'
import { round } from '../../platform/numbers.ts'
import { fxRate } from './fx.ts'

type Tx = Transaction<Tables>

/** An invoice from an accounting system: to a customer (receivable) or from a supplier (payable). */
export interface InvoiceInput {
  id: string
  reference: string
  currency: string
  amount: number
  /** YYYY-MM-DD */
  issuedOn: string
  dueOn: string
  paidOn: string | null
}

export type Upsert = 'written' | 'unchanged'

/**
 * Creates or updates a receivable or payable by id, in the caller's transaction. The base
 * amount uses the FX rate of the issue day (a currency without a rate is refused with
 * NO_FX_RATE, never booked at 0). A row that already holds these values is left alone, so a
 * repeated pull reports it unchanged.
 */
export async function upsertInvoice(
  tx: Tx,
  invoice: InvoiceInput &
    ({ kind: 'receivable'; counterparty: string } | { kind: 'payable'; supplierId: string | null }),
): Promise<Upsert> {
  const rate = await fxRate(tx, invoice.currency, new Date(`${invoice.issuedOn}T00:00:00Z`))
  const values = {
    id: invoice.id,
    reference: invoice.reference,
    currency: invoice.currency,
    amount: invoice.amount,
    amount_base: round(invoice.amount * rate),
    issued_on: invoice.issuedOn,
    // the tables require due ≥ issued; an invoice due before it was issued is due at once
    due_on: invoice.dueOn.localeCompare(invoice.issuedOn) < 0 ? invoice.issuedOn : invoice.dueOn,
    paid_on: invoice.paidOn,
  }
  const changed = (table: 'receivables' | 'payables', extra: string) =>
    sql<boolean>`(${sql.ref(`${table}.reference`)}, ${sql.ref(`${table}.currency`)}, ${sql.ref(`${table}.amount`)},
      ${sql.ref(`${table}.amount_base`)}, ${sql.ref(`${table}.issued_on`)}, ${sql.ref(`${table}.due_on`)},
      ${sql.ref(`${table}.paid_on`)}, ${sql.ref(`${table}.${extra}`)})
      is distinct from (excluded.reference, excluded.currency, excluded.amount, excluded.amount_base,
      excluded.issued_on, excluded.due_on, excluded.paid_on, ${sql.ref(`excluded.${extra}`)})`
  const { id: _id, ...updates } = values
  const row =
    invoice.kind === 'receivable'
      ? await tx
          .insertInto('receivables')
          .values({ ...values, counterparty: invoice.counterparty })
          .onConflict((oc) =>
            oc
              .column('id')
              .doUpdateSet({ ...updates, counterparty: invoice.counterparty })
              .where(changed('receivables', 'counterparty')),
          )
          .returning('id')
          .executeTakeFirst()
      : await tx
          .insertInto('payables')
          .values({ ...values, supplier_id: invoice.supplierId })
          .onConflict((oc) =>
            oc
              .column('id')
              .doUpdateSet({ ...updates, supplier_id: invoice.supplierId })
              .where(changed('payables', 'supplier_id')),
          )
          .returning('id')
          .executeTakeFirst()
  return row ? 'written' : 'unchanged'
}

/** Removes a voided invoice; true when there was one. */
export async function removeInvoice(tx: Tx, kind: 'receivable' | 'payable', id: string): Promise<boolean> {
  const table = kind === 'receivable' ? 'receivables' : 'payables'
  const removed = await tx.deleteFrom(table).where('id', '=', id).returning('id').executeTakeFirst()
  return removed !== undefined
}
