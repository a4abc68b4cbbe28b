import type { AppContext } from '../../../context.ts'
import { parseJsonDate } from '../../../platform/external-json.ts'
import { AppError } from '../../../platform/http/errors.ts'
import { removeInvoice, upsertInvoice } from '../../finance/invoices.ts'
import type { Invoice } from './client.ts'

/**
 * A Xero invoice as a receivable (ACCREC, a sales invoice) or a payable (ACCPAY, a bill), id
 * `xero:<InvoiceID>`: its Total in its currency, issued on Date, due on DueDate, paid on
 * FullyPaidOnDate once PAID, so a payment made later updates the same row. A voided one is
 * removed. A payable's supplier is the supplier of the same name, if any.
 */

const KIND = { ACCREC: 'receivable', ACCPAY: 'payable' } as const
const day = (value: unknown) => parseJsonDate(value)?.toISOString().slice(0, 10)

export type Outcome = 'written' | 'unchanged' | { skipped: string }

export async function bookInvoice(
  ctx: AppContext,
  invoice: Invoice,
  suppliers: ReadonlyMap<string, string>,
): Promise<Outcome> {
  const kind = KIND[invoice.Type as keyof typeof KIND]
  if (!kind) return { skipped: `type ${invoice.Type}` }
  const id = `xero:${invoice.InvoiceID.toLowerCase()}`
  if (invoice.Status === 'VOIDED' || invoice.Status === 'DELETED') {
    const removed = await ctx.db.transaction().execute((tx) => removeInvoice(tx, kind, id))
    return removed ? 'written' : 'unchanged'
  }
  if (invoice.Status !== 'AUTHORISED' && invoice.Status !== 'PAID')
    return { skipped: `status ${invoice.Status}` }
  const issuedOn = day(invoice.Date) ?? day(invoice.DateString)
  if (!issuedOn) return { skipped: 'no invoice date' }
  const paid = invoice.Status === 'PAID'
  const name = invoice.Contact?.Name?.trim() ?? ''
  const common = {
    id,
    reference: invoice.InvoiceNumber?.trim() || invoice.Reference?.trim() || invoice.InvoiceID,
    currency: invoice.CurrencyCode,
    amount: invoice.Total,
    issuedOn,
    dueOn: day(invoice.DueDate) ?? day(invoice.DueDateString) ?? issuedOn,
    paidOn: paid ? (day(invoice.FullyPaidOnDate) ?? day(invoice.UpdatedDateUTC) ?? issuedOn) : null,
  }
  try {
    return await ctx.db
      .transaction()
      .execute((tx) =>
        upsertInvoice(
          tx,
          kind === 'receivable'
            ? { ...common, kind, counterparty: name || invoice.InvoiceID }
            : { ...common, kind, supplierId: suppliers.get(name.toLowerCase()) ?? null },
        ),
      )
  } catch (error) {
    // NO_FX_RATE: a currency the app has no rate for is left out, never booked at 0.
    if (error instanceof AppError) return { skipped: `${error.code}: ${error.message}` }
    throw error
  }
}

/** Supplier ids by lower-cased name. */
export async function suppliersByName(ctx: AppContext): Promise<Map<string, string>> {
  const rows = await ctx.db.selectFrom('suppliers').select(['id', 'name']).execute()
  return new Map(rows.map((row) => [row.name.trim().toLowerCase(), row.id]))
}
