/**
 * CSV import benchmark: rows per second of `sentia import:csv --type orders` (the service the
 * command and the upload endpoint call, reading the file from disk) against a plain COPY of the
 * same file into a scratch table with text-typed columns on the same engine.
 *
 *   npx tsx bench/import.ts [--rows N] [--batch-size N] [--json]
 *
 *   --rows <n>        order lines in the generated file (default 200000)
 *   --batch-size <n>  rows per import batch (default 5000)
 *   --json            print the result as JSON
 *
 * With DATABASE_URL it creates a scratch database on that PostgreSQL server, uses it and drops
 * it; without, it runs on the embedded engine in a temporary DATA_DIR. See bench/README.md.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { loadConfig } from '../server/config.ts'
import { closeContext, createContext } from '../server/context.ts'
import { IMPORTERS } from '../server/modules/imports/importers/index.ts'
import { runImport } from '../server/modules/imports/runner.ts'
import { recordMovement } from '../server/modules/inventory/ledger.ts'
import { createLogger } from '../server/platform/observability/logger.ts'
import { insertCatalogAndRates } from '../test/business.ts'
import { orderFile } from '../test/import-files.ts'

const GOAL_ROWS_PER_SECOND = 20_000

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    'batch-size': { type: 'string', default: '5000' },
    json: { type: 'boolean', default: false },
  },
})
const rows = Number(values.rows)
const batchSize = Number(values['batch-size'])
if (!Number.isInteger(rows) || rows < 1) throw new Error('--rows must be a positive whole number')

const work = mkdtempSync(path.join(tmpdir(), 'sentia-bench-import-'))
const file = path.join(work, 'orders.csv')
const baseUrl = process.env.DATABASE_URL
const scratch = `sentia_bench_import_${process.pid}`

async function admin(statement: string): Promise<void> {
  const url = new URL(baseUrl!)
  url.pathname = '/postgres'
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

async function main() {
  await pipeline(orderFile(rows, { prefix: 'BENCH' }), createWriteStream(file))
  const env: Record<string, string> = {
    DATA_DIR: path.join(work, 'data'),
    LOG_LEVEL: 'warn',
    DEMO_DATA: 'false',
  }
  if (baseUrl) {
    await admin(`CREATE DATABASE ${scratch}`)
    const url = new URL(baseUrl)
    url.pathname = `/${scratch}`
    env.DATABASE_URL = url.toString()
  }
  const config = loadConfig(env)
  const ctx = await createContext({ config, logger: createLogger(config), role: 'worker' })
  try {
    await insertCatalogAndRates(ctx)
    await ctx.db.transaction().execute(async (tx) => {
      for (const sku of ['GABA-RED', 'GABA-BLACK', 'GABA-GOLD'])
        for (const location of ['UK-WH', 'EU-3PL', 'US-3PL'])
          await recordMovement(tx, {
            kind: 'receipt',
            sku,
            locationCode: location,
            quantity: 100_000_000,
            occurredAt: new Date('2025-12-31T00:00:00Z'),
            actor: 'bench',
          })
    })

    const cpuBefore = process.cpuUsage()
    const report = await runImport(ctx, IMPORTERS.orders, {
      source: createReadStream(file),
      dryRun: false,
      batchSize,
      file: 'orders.csv',
      actor: { type: 'system', id: 'bench' },
    })
    const cpu = process.cpuUsage(cpuBefore)
    if (report.errorCount > 0)
      throw new Error(`the import reported errors: ${JSON.stringify(report.errors[0])}`)

    await ctx.db.schema
      .createTable('bench_copy')
      .addColumn('external_id', 'text')
      .addColumn('channel', 'text')
      .addColumn('placed_at', 'text')
      .addColumn('status', 'text')
      .addColumn('sku', 'text')
      .addColumn('quantity', 'text')
      .addColumn('unit_price', 'text')
      .execute()
    const copySql = 'COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)'
    const copyStarted = performance.now()
    if (ctx.database.pglite) {
      const blob = new Blob([await import('node:fs/promises').then((fs) => fs.readFile(file))])
      await ctx.database.pglite.query(copySql.replace('STDIN', "'/dev/blob'"), [], { blob })
    } else {
      const client = await ctx.database.pool.connect()
      try {
        await pipeline(createReadStream(file), client.query(copyFrom(copySql)))
      } finally {
        client.release()
      }
    }
    const copyMs = performance.now() - copyStarted
    const copied = await ctx.db
      .selectFrom('bench_copy' as never)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    if (Number(copied.n) !== rows) throw new Error(`COPY loaded ${copied.n} rows, expected ${rows}`)

    const importRate = report.rowsPerSecond
    const copyRate = Math.round((rows / copyMs) * 1000)
    const result = {
      engine: ctx.database.engine,
      rows,
      orders: report.created,
      fileBytes: statSync(file).size,
      batchSize,
      importMs: Math.round(report.elapsedMs),
      importRowsPerSecond: importRate,
      /** CPU the app's own process used during the import (parsing, checks, building statements). */
      importAppCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      /** Peak resident memory of the bench process: the file is streamed, so it stays flat as rows grow. */
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      copyMs: Math.round(copyMs),
      copyRowsPerSecond: copyRate,
      ratioToCopy: Math.round((importRate / copyRate) * 1000) / 1000,
      goalRowsPerSecond: GOAL_ROWS_PER_SECOND,
      goalMet: importRate >= GOAL_ROWS_PER_SECOND,
    }
    if (values.json) return console.log(JSON.stringify(result, null, 2))
    const n = (v: number) => v.toLocaleString('en-GB')
    console.log(`engine            ${result.engine}`)
    console.log(
      `file              ${n(rows)} order lines, ${n(result.orders)} orders, ${n(result.fileBytes)} bytes`,
    )
    console.log(
      `import            ${(result.importMs / 1000).toFixed(1)} s, ${n(importRate)} rows/s (batches of ${n(batchSize)})`,
    )
    console.log(
      `  app CPU         ${(result.importAppCpuMs / 1000).toFixed(1)} s (the rest is the database and waiting)`,
    )
    console.log(`  peak RSS        ${n(result.peakRssMb)} MB (whole bench process)`)
    console.log(`COPY (text cols)  ${(result.copyMs / 1000).toFixed(1)} s, ${n(copyRate)} rows/s`)
    console.log(`import ÷ COPY     ${(result.ratioToCopy * 100).toFixed(1)}%`)
    console.log(`goal              ≥ ${n(GOAL_ROWS_PER_SECOND)} rows/s: ${result.goalMet ? 'met' : 'missed'}`)
  } finally {
    await closeContext(ctx, 5000)
    if (baseUrl) await admin(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`)
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
