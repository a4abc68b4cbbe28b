/**
 * Backup and restore benchmark on PostgreSQL: the product's backup (`createBackup`) and restore
 * (`restoreBackup`) against plain `pg_dump -Fc` and `pg_restore` of the same database in the same
 * run, then one recovery drill (`runDrill`) and its measured RTO. Loopback only; drops every
 * database it created (unless --keep, which keeps the filled one).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/backup.ts [options]
 *
 *   --size-gb <n>   fill the bench database to at least n GB (pg_database_size; default 1)
 *   --rounds <n>    plain dump, product backup, plain restore, product restore, n times,
 *                   interleaved (default 1; a round of 1 GB takes a few minutes); medians
 *   --keep          keep the filled database (sentia_bench_backup_<hex>) at the end
 *   --json          print the result as JSON
 *
 * DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres); the bench
 * works in databases of its own. It needs 8 GB free where /tmp and PostgreSQL's data live.
 * See bench/README.md.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, statfsSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import pg from 'pg'
import { loadConfig } from '../server/config.ts'
import { type AppContext, closeContext, createContext } from '../server/context.ts'
import { runDrill } from '../server/modules/backups/drills.ts'
import { databaseFacts, sha256File } from '../server/modules/backups/manifest.ts'
import { restoreBackup } from '../server/modules/backups/restore.ts'
import { createBackup } from '../server/modules/backups/service.ts'
import { backupStores } from '../server/modules/backups/stores.ts'
import type { Actor } from '../server/platform/http/principal.ts'
import { createLogger } from '../server/platform/observability/logger.ts'
import { insertCatalogAndRates } from '../test/business.ts'
import { gitState, median, runBench } from './lib.ts'

const SELF = new URL(import.meta.url).pathname
const GOALS = { ratio: 1.2, rtoSeconds: 300 }
const MIN_FREE_BYTES = 8 * 1024 ** 3
/** Orders inserted per statement while filling (about 2 order lines each). */
const CHUNK = 250_000
const BUDGET_MS = 90 * 60_000
const ACTOR: Actor = { type: 'system', id: 'bench' }

const { values: args } = parseArgs({
  options: {
    'size-gb': { type: 'string', default: '1' },
    rounds: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
})

const log = (message: string) => {
  if (!args.json) console.error(message)
}

const exec = promisify(execFile)
const seconds = (ms: number) => Math.round(ms) / 1000
const mb = (bytes: number) => Math.round(bytes / 1024 ** 2)

function databaseUrl(base: string, database: string): string {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'sentia-bench-backup' })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now()
  const value = await work()
  return { ms: performance.now() - started, value }
}

/** Free bytes (for an unprivileged user) on the file system holding `dir`; null when unreadable. */
function freeBytes(dir: string): number | null {
  try {
    const fs = statfsSync(dir)
    return fs.bavail * fs.bsize
  } catch {
    return null
  }
}

/** The catalog of the demo business, then orders with their lines, set-based, until the size is reached. */
async function fill(ctx: AppContext, url: string, targetBytes: number) {
  await insertCatalogAndRates(ctx)
  return withClient(url, async (client) => {
    // The rows are valid by construction; skipping the foreign-key triggers only makes the fill faster.
    await client.query('set session_replication_role = replica')
    const size = async () =>
      Number((await client.query('select pg_database_size(current_database()) as n')).rows[0].n)
    let orders = 0
    let bytes = await size()
    while (bytes < targetBytes) {
      const from = orders + 1
      const to = orders + CHUNK
      await client.query(
        `with ch as (
           select row_number() over (order by c.code) - 1 as i, c.code, c.market_code, c.location_code,
                  m.currency, case m.currency when 'EUR' then 0.85 when 'USD' then 0.8 else 1 end as fx
           from channels c join markets m on m.code = c.market_code
         ), n as (select count(*) as n from ch),
         base as (
           select g, ch.*, (12 + (g::bigint * 7919) % 180)::numeric + 0.99 as subtotal
           from generate_series($1::int, $2::int) g cross join n join ch on ch.i = g % n.n
         )
         insert into orders (id, source, external_id, channel_code, market_code, customer_id, currency, status,
                             placed_at, subtotal, tax, shipping, total, fx_rate, total_base, location_code)
         select 'BO-' || lpad(g::text, 10, '0'),
                (array['shopify', 'amazon', 'wholesale', 'csv'])[1 + g % 4],
                'EXT-' || g,
                code, market_code, null, currency,
                (array['paid', 'fulfilled', 'fulfilled', 'fulfilled', 'pending', 'cancelled', 'refunded'])[1 + g % 7],
                now() - ((g::bigint * 7919) % 63072000) * interval '1 second',
                subtotal, round(subtotal * 0.2, 2), 4.95, subtotal + round(subtotal * 0.2, 2) + 4.95,
                fx, round((subtotal + round(subtotal * 0.2, 2) + 4.95) * fx, 2), location_code
         from base`,
        [from, to],
      )
      await client.query(
        `insert into order_lines (order_id, line_no, sku, quantity, unit_price, unit_cost)
         select 'BO-' || lpad(g::text, 10, '0'), l,
                (array['GABA-RED', 'GABA-BLACK', 'GABA-GOLD'])[1 + (g + l) % 3],
                1 + (g + l) % 4, 3.49 + (g % 3), 0.8125
         from generate_series($1::int, $2::int) g cross join lateral generate_series(1, 1 + g % 3) l`,
        [from, to],
      )
      orders = to
      bytes = await size()
      log(`  ${orders.toLocaleString('en-GB')} orders: ${mb(bytes)} MB`)
    }
    log('  vacuum analyze, checkpoint…')
    await client.query('vacuum analyze')
    await client.query('checkpoint')
    const lines = Number((await client.query('select count(*) as n from order_lines')).rows[0].n)
    return { orders, lines, bytes: await size() }
  })
}

interface Round {
  plainDumpMs: number
  productBackupMs: number
  plainRestoreMs: number
  productRestoreMs: number
  plainArchiveBytes: number
  productArchiveBytes: number
  /** Elapsed ms of each phase of the product's restore, from its progress lines. */
  restorePhases: Record<string, number>
  restoreIntegrityOk: boolean
  restoreVerify: string
}

async function round(
  ctx: AppContext,
  base: string,
  name: string,
  work: string,
  n: number,
): Promise<{ round: Round; backupId: string }> {
  const source = databaseUrl(base, name)
  const plainFile = path.join(work, `plain-${n}.dump`)
  const plainTarget = `${name}_plain_${n}`
  const productTarget = `${name}_restored_${n}`

  const plainDump = async () => {
    log(`round ${n}: pg_dump -Fc…`)
    return (await timed(() => exec('pg_dump', ['-Fc', '--no-password', '-f', plainFile, '--dbname', source])))
      .ms
  }
  const productBackup = async () => {
    log(`round ${n}: createBackup…`)
    return timed(() => createBackup(ctx, ACTOR))
  }
  // Interleaved: the first of the pair alternates between rounds, so neither always meets a cold cache.
  let plainDumpMs: number
  let backup: Awaited<ReturnType<typeof productBackup>>
  if (n % 2 === 1) {
    plainDumpMs = await plainDump()
    backup = await productBackup()
  } else {
    backup = await productBackup()
    plainDumpMs = await plainDump()
  }

  await withClient(databaseUrl(base, 'postgres'), (client) => client.query(`create database ${plainTarget}`))
  const plainRestore = async () => {
    log(`round ${n}: pg_restore --no-owner…`)
    return (
      await timed(() =>
        exec('pg_restore', [
          '--no-owner',
          '--no-password',
          '--dbname',
          databaseUrl(base, plainTarget),
          plainFile,
        ]),
      )
    ).ms
  }
  const phases: [string, number][] = []
  const productRestore = async () => {
    log(`round ${n}: restoreBackup…`)
    const started = performance.now()
    const restored = await timed(() =>
      restoreBackup(ctx.config, backupStores(ctx), {
        id: backup.value.id,
        target: databaseUrl(base, productTarget),
        progress: (line) => {
          if (!line.startsWith('table ')) phases.push([line.split(' ')[0]!, performance.now() - started])
        },
      }),
    )
    phases.push(['end', restored.ms])
    return restored
  }
  let plainRestoreMs: number
  let restored: Awaited<ReturnType<typeof productRestore>>
  if (n % 2 === 1) {
    plainRestoreMs = await plainRestore()
    restored = await productRestore()
  } else {
    restored = await productRestore()
    plainRestoreMs = await plainRestore()
  }
  const restorePhases: Record<string, number> = {}
  for (let i = 0; i < phases.length - 1; i++)
    restorePhases[phases[i]![0]] = Math.round(phases[i + 1]![1] - phases[i]![1])
  const plainArchiveBytes = (await stat(plainFile)).size
  await rm(plainFile, { force: true })
  await withClient(databaseUrl(base, 'postgres'), async (client) => {
    for (const db of [plainTarget, productTarget])
      await client.query(`drop database if exists ${db} with (force)`)
  })
  return {
    backupId: backup.value.id,
    round: {
      plainDumpMs,
      productBackupMs: backup.ms,
      plainRestoreMs,
      productRestoreMs: restored.ms,
      plainArchiveBytes,
      productArchiveBytes: backup.value.sizeBytes ?? 0,
      restorePhases,
      restoreIntegrityOk: restored.value.integrity.ok,
      restoreVerify: restored.value.verify.state,
    },
  }
}

/** What the product does besides pg_dump / pg_restore, each step timed alone on the same data. */
async function breakdown(ctx: AppContext, source: string, backupId: string, work: string) {
  const store = backupStores(ctx)[0]!
  const copy = path.join(work, 'copy.dump')
  const counts = await timed(() =>
    withClient(source, async (client) => {
      await client.query('begin isolation level repeatable read, read only')
      const facts = await databaseFacts(client)
      await client.query('commit')
      return facts
    }),
  )
  const fetch = await timed(() => store.get(`${backupId}/data.dump`, copy))
  const sha = await timed(() => sha256File(copy))
  const list = await timed(() => exec('pg_restore', ['--list', copy], { maxBuffer: 64 * 1024 * 1024 }))
  await rm(copy, { force: true })
  return {
    rowCountsMs: Math.round(counts.ms),
    tables: Object.keys(counts.value.tables).length,
    copyArchiveMs: Math.round(fetch.ms),
    sha256Ms: Math.round(sha.ms),
    listMs: Math.round(list.ms),
  }
}

async function main(): Promise<number> {
  const base = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
  if (!base.startsWith('postgres')) {
    console.error('bench/backup.ts runs on PostgreSQL: DATABASE_URL must be a postgres:// URL')
    return 1
  }
  const sizeGb = Number(args['size-gb'])
  const rounds = Number(args.rounds)
  if (!(sizeGb > 0)) throw new Error('--size-gb must be a positive number')
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a whole number ≥ 1')

  const dataDirectory = await withClient(databaseUrl(base, 'postgres'), async (client) =>
    String((await client.query('show data_directory')).rows[0].data_directory),
  ).catch(() => '/var/lib/postgresql')
  for (const dir of [tmpdir(), dataDirectory, '/var/lib/postgresql']) {
    const free = freeBytes(dir)
    if (free === null) continue
    log(`free space at ${dir}: ${(free / 1024 ** 3).toFixed(1)} GB`)
    if (free < MIN_FREE_BYTES * Math.max(1, sizeGb)) {
      console.error(`bench/backup.ts needs ${8 * Math.max(1, sizeGb)} GB free at ${dir}; stopping`)
      return 1
    }
  }

  const name = `sentia_bench_backup_${randomBytes(3).toString('hex')}`
  const url = databaseUrl(base, name)
  const work = await mkdtemp(path.join(tmpdir(), 'sentia-bench-backup-'))
  const admin = (statement: string) =>
    withClient(databaseUrl(base, 'postgres'), (client) => client.query(statement))
  let ctx: AppContext | undefined
  try {
    await admin(`create database ${name}`)
    const config = loadConfig({
      DATABASE_URL: url,
      DATA_DIR: path.join(work, 'data'),
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
      REDIS_URL: '',
      BACKUP_SCHEDULE: 'off',
      BACKUP_DRILL_SCHEDULE: 'off',
      ALERT_EVALUATION_SECONDS: '0',
      SAMPLER_INTERVAL_SECONDS: '0',
    })
    ctx = await createContext({ config, logger: createLogger(config), role: 'worker' })
    log(`${name}: filling to ${sizeGb} GB…`)
    const filled = await timed(() => fill(ctx!, url, sizeGb * 1024 ** 3))
    log(
      `${name}: ${mb(filled.value.bytes)} MB, ${filled.value.orders} orders, ${filled.value.lines} lines, in ${seconds(filled.ms)} s`,
    )

    const results: Round[] = []
    let backupId = ''
    for (let n = 1; n <= rounds; n++) {
      const done = await round(ctx, base, name, work, n)
      results.push(done.round)
      backupId = done.backupId
      log(`round ${n}: ${JSON.stringify(done.round)}`)
    }
    log('breakdown: row counts, archive copy, sha256, pg_restore --list, each alone…')
    const parts = await breakdown(ctx, url, backupId, work)

    log('recovery drill…')
    const drill = await timed(() => runDrill(ctx!, ACTOR))

    const m = (pick: (r: Round) => number) => median(results.map(pick))
    const backupRatio = m((r) => r.productBackupMs / r.plainDumpMs)
    const restoreRatio = m((r) => r.productRestoreMs / r.plainRestoreMs)
    const rto = drill.value.rtoSeconds
    const goals = [
      {
        goal: `backup ≤ ${GOALS.ratio}× pg_dump -Fc`,
        measured: `${backupRatio.toFixed(2)}×`,
        met: backupRatio <= GOALS.ratio,
      },
      {
        goal: `restore ≤ ${GOALS.ratio}× pg_restore`,
        measured: `${restoreRatio.toFixed(2)}×`,
        met: restoreRatio <= GOALS.ratio,
      },
      {
        goal: `drill RTO ≤ ${GOALS.rtoSeconds} s`,
        measured:
          rto === null ? `none (${drill.value.outcome}: ${drill.value.error})` : `${rto.toFixed(1)} s`,
        met: rto !== null && rto <= GOALS.rtoSeconds,
      },
    ]
    const report = {
      date: new Date().toISOString(),
      app: gitState(),
      database: { name, bytes: filled.value.bytes, orders: filled.value.orders, lines: filled.value.lines },
      fillSeconds: seconds(filled.ms),
      rounds: results,
      medians: {
        plainDumpMs: Math.round(m((r) => r.plainDumpMs)),
        productBackupMs: Math.round(m((r) => r.productBackupMs)),
        plainRestoreMs: Math.round(m((r) => r.plainRestoreMs)),
        productRestoreMs: Math.round(m((r) => r.productRestoreMs)),
        backupRatio,
        restoreRatio,
      },
      breakdown: parts,
      drill: {
        outcome: drill.value.outcome,
        rtoSeconds: rto,
        rpoSeconds: drill.value.rpoSeconds,
        wallSeconds: seconds(drill.ms),
        error: drill.value.error,
      },
      goals,
    }
    if (args.json) console.log(JSON.stringify(report, null, 2))
    else {
      const r = report.medians
      const last = results.at(-1)!
      console.log(
        `database            ${mb(filled.value.bytes)} MB (pg_database_size): ${filled.value.orders.toLocaleString('en-GB')} orders, ${filled.value.lines.toLocaleString('en-GB')} lines; filled in ${report.fillSeconds} s`,
      )
      console.log(`rounds              ${rounds} (medians below)`)
      console.log(`pg_dump -Fc         ${seconds(r.plainDumpMs)} s, archive ${mb(last.plainArchiveBytes)} MB`)
      console.log(
        `createBackup        ${seconds(r.productBackupMs)} s, archive ${mb(last.productArchiveBytes)} MB`,
      )
      console.log(`pg_restore          ${seconds(r.plainRestoreMs)} s`)
      console.log(
        `restoreBackup       ${seconds(r.productRestoreMs)} s (verify ${last.restoreVerify}, integrity ${last.restoreIntegrityOk ? 'ok' : 'DIFFERS'})`,
      )
      console.log(`  phases (ms)       ${JSON.stringify(last.restorePhases)}`)
      console.log(
        `  steps alone (ms)  row counts of ${parts.tables} tables ${parts.rowCountsMs}, archive copy ${parts.copyArchiveMs}, sha256 ${parts.sha256Ms}, pg_restore --list ${parts.listMs}`,
      )
      console.log(
        `drill               ${report.drill.outcome}: RTO ${rto?.toFixed(1) ?? '—'} s, RPO ${report.drill.rpoSeconds?.toFixed(0) ?? '—'} s (wall ${report.drill.wallSeconds} s)`,
      )
      for (const goal of goals)
        console.log(`${goal.met ? 'MET   ' : 'MISSED'}  ${goal.goal}: ${goal.measured}`)
    }
    return 0
  } finally {
    if (ctx) await closeContext(ctx, 5000).catch((error) => console.error(error))
    await withClient(databaseUrl(base, 'postgres'), async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        'select datname from pg_database where left(datname, length($1)) = $1',
        [name],
      )
      for (const { datname } of rows)
        if (!(args.keep && datname === name))
          await client.query(`drop database if exists ${datname} with (force)`)
    }).catch((error) => console.error('could not drop the bench databases:', error))
    await rm(work, { recursive: true, force: true })
    if (args.keep) log(`kept ${name}`)
  }
}

if (args.help) console.log(readFileSync(SELF, 'utf8').split('*/')[0])
else runBench(main, BUDGET_MS)
