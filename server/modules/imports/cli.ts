import { createReadStream, statSync } from 'node:fs'
import path from 'node:path'
import { type Readable, Readable as ReadableStream, Transform } from 'node:stream'
import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import { cliActor, withContext } from '../../cli/context.ts'
import { CliError, printJson } from '../../cli/output.ts'
import type { ImportResult } from './runner.ts'
import { DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE } from './schemas.ts'
import { IMPORT_TYPES, type ImportType } from './types.ts'

interface Options {
  type: string
  dryRun?: boolean
  batchSize: string
  json?: boolean
  url?: string
  apiKey?: string
}

/** How often progress is printed as a plain line when stderr is not a terminal. */
const PLAIN_PROGRESS_MS = 10_000

export function registerImportCommands(program: Command): void {
  program
    .command('import:csv')
    .description('import orders, products, stock movements or storefront sessions from a CSV file')
    .argument('<file>', 'the CSV file (header row first; see the README for the columns of each type)')
    .requiredOption('--type <type>', `what the file holds: ${IMPORT_TYPES.join(', ')}`)
    .option('--dry-run', 'check every row and report what would happen, writing nothing')
    .option('--batch-size <n>', 'rows per all-or-nothing batch', String(DEFAULT_BATCH_SIZE))
    .option('--json', 'print the report as JSON')
    .option('--url <url>', 'import into a running instance at this URL instead of the local database')
    .option('--api-key <key>', 'API key for --url (default: $SENTIA_API_KEY)')
    .action(async (file: string, options: Options) => {
      const type = options.type as ImportType
      if (!IMPORT_TYPES.includes(type)) throw new CliError(`--type must be one of ${IMPORT_TYPES.join(', ')}`)
      const batchSize = Number(options.batchSize)
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE)
        throw new CliError(`--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE}`)
      let size: number
      try {
        size = statSync(file).size
      } catch {
        throw new CliError(`cannot read ${file}`)
      }
      const fileStream = createReadStream(file)
      const progress = startProgress(size, Boolean(options.json))
      let read = 0
      // Counts bytes as the importer pulls them (a 'data' listener would read ahead of it).
      const source = fileStream.pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            read += chunk.length
            progress.update(read)
            done(null, chunk)
          },
        }),
      )
      const request = { type, dryRun: Boolean(options.dryRun), batchSize, file: path.basename(file) }
      let result: ImportResult
      try {
        result = options.url
          ? await importRemote(options.url, options.apiKey ?? process.env.SENTIA_API_KEY, source, request)
          : await withContext(async (ctx) => {
              const { runImport } = await import('./runner.ts')
              const { IMPORTERS } = await import('./importers/index.ts')
              return runImport(ctx, IMPORTERS[type], { ...request, source, actor: cliActor })
            })
      } finally {
        progress.stop()
        fileStream.destroy()
      }
      if (options.json) printJson(result)
      else printReport(result)
      if (result.fileError) throw new CliError(result.fileError.message)
      if (result.errorCount > 0)
        throw new CliError(`${result.errorCount} error(s); ${result.failed} row(s) not imported`, 2)
    })
}

/** A progress bar on a terminal; otherwise a plain line now and then (nothing with --json). */
function startProgress(total: number, json: boolean): { update(bytes: number): void; stop(): void } {
  const started = Date.now()
  if (process.stderr.isTTY && !json) {
    const bar = new SingleBar({
      stream: process.stderr,
      format: 'importing [{bar}] {percentage}% | {mb} of {totalMb} MB | {rate} MB/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    })
    const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1)
    bar.start(Math.max(total, 1), 0, { mb: '0.0', totalMb: mb(total), rate: '0.0' })
    return {
      update(bytes) {
        const seconds = (Date.now() - started) / 1000
        bar.update(bytes, { mb: mb(bytes), rate: seconds > 0 ? mb(bytes / seconds) : '0.0' })
      },
      stop: () => bar.stop(),
    }
  }
  let last = started
  return {
    update(bytes) {
      if (json || Date.now() - last < PLAIN_PROGRESS_MS) return
      last = Date.now()
      process.stderr.write(`importing: ${Math.floor((bytes / Math.max(total, 1)) * 100)}% of the file read\n`)
    },
    stop() {},
  }
}

async function importRemote(
  url: string,
  apiKey: string | undefined,
  source: Readable,
  request: { type: ImportType; dryRun: boolean; batchSize: number; file: string },
): Promise<ImportResult> {
  if (!apiKey) throw new CliError('--url needs an API key: pass --api-key or set SENTIA_API_KEY')
  const target = new URL(`/api/imports/${request.type}`, url)
  target.searchParams.set('dryRun', String(request.dryRun))
  target.searchParams.set('batchSize', String(request.batchSize))
  target.searchParams.set('file', request.file)
  let response: Response
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv', accept: 'application/json' },
      body: ReadableStream.toWeb(source) as unknown as RequestInit['body'],
      duplex: 'half',
    } as RequestInit & { duplex: 'half' })
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message
    throw new CliError(`cannot reach ${url}: ${cause}`)
  }
  const payload = (await response.json().catch(() => null)) as
    | (ImportResult & { error?: { code: string; message: string; details?: { report?: ImportResult } } })
    | null
  if (response.ok && payload) return payload
  const report = payload?.error?.details?.report
  if (report && payload?.error) return { ...report, fileError: { ...payload.error, status: response.status } }
  throw new CliError(
    `POST ${target.pathname} failed (HTTP ${response.status}): ${payload?.error?.message ?? 'no details'}`,
  )
}

const number = (n: number) => n.toLocaleString('en-GB')

function printReport(report: ImportResult): void {
  const out = (line = '') => process.stdout.write(`${line}\n`)
  const what = `${report.type}${report.file ? ` from ${report.file}` : ''}`
  out(report.dryRun ? `Dry run of ${what}: nothing was written.` : `Import of ${what}: ${report.status}.`)
  const plural = `${report.record}s`
  const rows: [string, string][] = [
    ['status', report.status],
    ['rows read', number(report.rows)],
    [report.dryRun ? 'would create' : 'created', `${number(report.created)} ${plural}`],
    [report.dryRun ? 'would update' : 'updated', `${number(report.updated)} ${plural}`],
    ['skipped', `${number(report.skipped)} ${plural} (imported before)`],
    ['rows failed', number(report.failed)],
    [
      'batches',
      `${number(report.batches.committed)} ${report.dryRun ? 'would commit' : 'committed'}, ${number(report.batches.rolledBack)} rolled back (${number(report.batches.size)} rows each)`,
    ],
    ['elapsed', `${(report.elapsedMs / 1000).toFixed(1)} s (${number(report.rowsPerSecond)} rows/s)`],
  ]
  for (const [label, value] of rows) out(`  ${label.padEnd(14)}${value}`)
  for (const batch of report.rolledBack)
    out(
      `  rolled back   batch ${batch.batch}: rows ${batch.fromRow}–${batch.toRow} (${number(batch.rows)} rows)`,
    )
  if (report.errorCount === 0) return
  out()
  out(`Errors (the first ${report.errors.length} of ${number(report.errorCount)}):`)
  for (const error of report.errors)
    out(`  row ${error.row}${error.column ? `, ${error.column}` : ''}: ${error.message}`)
}
