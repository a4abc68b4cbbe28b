import type { UnleashedSettings } from '../../../config-connectors.ts'
import { utcSeconds } from '../../../platform/external-json.ts'
import { publishBusinessEvent } from '../../orders/events.ts'
import type { Connector, SyncResult, SyncRun } from '../types.ts'
import { syncAssemblies } from './assemblies.ts'
import { Tally } from './mapping.ts'
import { syncStock } from './stock.ts'

/**
 * Unleashed (inventory and assembly): assemblies as production batches, then stock on hand as
 * ledger adjustments. Assemblies go first, so the stock pass finds their consumption and output
 * booked already and adjusts only what still differs. The cursor keeps each resource's latest
 * LastModifiedOn, sent back as `modifiedSince`.
 */

interface Cursor {
  assemblies?: string
  stock?: string
}

function readCursor(since: string | null): Cursor {
  if (!since) return {}
  try {
    const parsed = JSON.parse(since) as Cursor
    return typeof parsed === 'object' && parsed !== null ? parsed : {}
  } catch {
    return {}
  }
}

async function sync(run: SyncRun<UnleashedSettings>): Promise<SyncResult> {
  const previous = readCursor(run.since)
  const assemblies = new Tally()
  await syncAssemblies(run, previous.assemblies, assemblies)
  const stock = new Tally()
  await syncStock(run, previous.stock, stock)

  if (assemblies.written > 0)
    await publishBusinessEvent(run.app, 'production.changed', {
      source: 'unleashed',
      batches: assemblies.written,
    })
  if (assemblies.written + stock.written > 0)
    await publishBusinessEvent(run.app, 'stock.changed', { source: 'unleashed', adjustments: stock.written })
  const next: Cursor = {
    assemblies: assemblies.latest ? utcSeconds(assemblies.latest) : previous.assemblies,
    stock: stock.latest ? utcSeconds(stock.latest) : previous.stock,
  }
  const changed = next.assemblies !== previous.assemblies || next.stock !== previous.stock
  return {
    fetched: assemblies.fetched + stock.fetched,
    written: assemblies.written + stock.written,
    skipped: assemblies.skipped + stock.skipped,
    cursor: changed ? JSON.stringify(next) : null,
    notes: [...assemblies.notes(run.app, 'assemblies'), ...stock.notes(run.app, 'stock on hand')],
  }
}

export const unleashedConnector: Connector<UnleashedSettings> = {
  name: 'unleashed',
  title: 'Unleashed',
  resources: [
    'assemblies, as production batches (planned, or completed with their output)',
    'stock on hand per warehouse, as ledger adjustments',
  ],
  variables: ['UNLEASHED_API_ID', 'UNLEASHED_API_KEY'],
  schedule: '*/15 * * * *',
  settings: (config) => config.connectors.unleashed,
  sync,
}
