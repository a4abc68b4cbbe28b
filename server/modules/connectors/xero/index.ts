import type { XeroSettings } from '../../../config-connectors.ts'
import { parseJsonDate } from '../../../platform/external-json.ts'
import type { Connector, SyncResult, SyncRun } from '../types.ts'
import { eachInvoicePage } from './client.ts'
import { bookInvoice, suppliersByName } from './invoices.ts'

/**
 * Xero (accounting): sales invoices as receivables and bills as payables, for working capital.
 * The cursor is the latest UpdatedDateUTC seen, sent back as If-Modified-Since.
 */

async function sync(run: SyncRun<XeroSettings>): Promise<SyncResult> {
  const ctx = run.app
  const since = parseJsonDate(run.since ?? undefined)
  const suppliers = await suppliersByName(ctx)
  const result: SyncResult = { fetched: 0, written: 0, skipped: 0, cursor: null }
  const reasons = new Map<string, string[]>()
  let latest = since?.getTime() ?? Number.NEGATIVE_INFINITY
  await eachInvoicePage(run, since, async (invoices) => {
    result.fetched += invoices.length
    for (const invoice of invoices) {
      const updated = parseJsonDate(invoice.UpdatedDateUTC)?.getTime()
      if (updated !== undefined && updated > latest) latest = updated
      const outcome = await bookInvoice(ctx, invoice, suppliers)
      if (outcome === 'written') result.written++
      else {
        result.skipped++
        if (outcome !== 'unchanged')
          reasons.set(outcome.skipped, [
            ...(reasons.get(outcome.skipped) ?? []),
            invoice.InvoiceNumber || invoice.InvoiceID,
          ])
      }
    }
  })
  result.notes = [...reasons].map(([reason, invoices]) => {
    ctx.logger.warn(
      { connector: 'xero', reason, count: invoices.length, invoices: invoices.slice(0, 20) },
      `xero: invoices skipped (${reason})`,
    )
    return `invoices skipped, ${reason} (${invoices.length}): ${invoices.slice(0, 5).join(', ')}${invoices.length > 5 ? ', …' : ''}`
  })
  if (Number.isFinite(latest) && latest !== since?.getTime()) result.cursor = new Date(latest).toISOString()
  return result
}

export const xeroConnector: Connector<XeroSettings> = {
  name: 'xero',
  title: 'Xero',
  resources: ['sales invoices, as receivables', 'bills, as payables'],
  variables: ['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET'],
  schedule: '7 * * * *',
  settings: (config) => config.connectors.xero,
  sync,
}
