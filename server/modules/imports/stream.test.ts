import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'
import { orderFile, orderLines } from '../../../test/import-files.ts'
import { recordMovement } from '../inventory/ledger.ts'
import { IMPORTERS } from './importers/index.ts'
import { runImport } from './runner.ts'

/** A generated file of 50,000 order lines streamed through the importer, then again (idempotent). */

const ROWS = 50_000

describe('a large orders file', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock('2026-04-01T00:00:00Z') })
    await insertCatalogAndRates(t.ctx)
    await t.ctx.db.transaction().execute(async (tx) => {
      for (const sku of ['GABA-RED', 'GABA-BLACK', 'GABA-GOLD'])
        for (const location of ['UK-WH', 'EU-3PL', 'US-3PL'])
          await recordMovement(tx, {
            kind: 'receipt',
            sku,
            locationCode: location,
            quantity: 1_000_000,
            occurredAt: new Date('2025-12-31T00:00:00Z'),
            actor: 'test',
          })
    })
  })
  afterAll(() => t.close())

  const orders = new Set([...orderLines(ROWS)].map((line) => line.split(',')[0])).size

  it('streams through in batches with the right counts, and a second run creates nothing', async () => {
    const input = { dryRun: false, batchSize: 5000, actor: { type: 'system', id: 'test' } as const }
    const first = await runImport(t.ctx, IMPORTERS.orders, { ...input, source: orderFile(ROWS) })
    expect(first).toMatchObject({ status: 'succeeded', rows: ROWS, created: orders, skipped: 0, failed: 0 })
    expect(first.batches.committed).toBeGreaterThanOrEqual(10)
    const stored = await sql<{ orders: number; lines: number; units: number }>`
      select (select count(*)::int from orders where source = 'csv') as orders,
             (select count(*)::int from order_lines) as lines,
             (select coalesce(sum(units), 0)::int from sales_daily) as units`.execute(t.ctx.db)
    const units = [...orderLines(ROWS)]
      .map((line) => line.split(','))
      .filter((cells) => !['cancelled', 'refunded'].includes(cells[3]!))
      .reduce((sum, cells) => sum + Number(cells[5]), 0)
    expect(stored.rows[0]).toEqual({ orders, lines: ROWS, units })

    const second = await runImport(t.ctx, IMPORTERS.orders, { ...input, source: orderFile(ROWS) })
    expect(second).toMatchObject({ status: 'succeeded', rows: ROWS, created: 0, skipped: orders })
  })
})
