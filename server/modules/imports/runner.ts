import { randomBytes } from 'node:crypto'
import { type Readable, Transform, type TransformCallback } from 'node:stream'
import { CsvError, type Options, Parser } from 'csv-parse'
import type { AppContext } from '../../context.ts'
import { AppError } from '../../platform/http/errors.ts'
import type { Actor, RequestFacts } from '../../platform/http/principal.ts'
import { FileError } from './file-error.ts'
import { checkHeader } from './header.ts'
import { finishRun, startRun } from './history.ts'
import { type ImportReport, Tally } from './report.ts'
import { type BatchScope, openScope } from './scope.ts'
import type { BatchOutcome, Importer, ImportRun, Row, RowError } from './types.ts'

export type ImportResult = ImportReport & {
  /** Why the file was refused or stopped (the HTTP status it answers with), if it was. */
  fileError: { code: string; message: string; status: number } | null
}

/** A parsed record and the parser's line counts at its end (lines read, empty lines skipped). */
interface Parsed {
  record: string[]
  lines: number
  empty: number
}

/**
 * csv-parse's stream, passing each record on with the line counts it ends at. The parser pushes
 * a record as soon as it is parsed, so its live `info` is that record's; this costs nothing,
 * where csv-parse's `info` option or `on_record` context copy the whole `info` twice a record.
 */
class LineParser extends Parser {
  /** The last line of the last record parsed (it may not have been read from the stream yet). */
  parsedTo = 0
  override push(record: string[] | null, encoding?: BufferEncoding): boolean {
    if (record === null) return super.push(null, encoding)
    this.parsedTo = this.info.lines
    const parsed: Parsed = { record, lines: this.info.lines, empty: this.info.empty_lines }
    return super.push(parsed, encoding)
  }
}

/** Longest record (characters) before the file is refused: an unclosed quote would swallow the rest. */
const MAX_RECORD_CHARS = 1_000_000

export interface ImportInput {
  source: Readable
  dryRun: boolean
  batchSize: number
  actor: Actor
  file?: string | null
  request?: RequestFacts
  /** Refuse the file past this many bytes (HTTP uploads). */
  byteLimit?: number
}

class ByteCounter extends Transform {
  bytes = 0
  constructor(private readonly limit: number | undefined) {
    super()
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length
    if (this.limit !== undefined && this.bytes > this.limit)
      done(new FileError(413, 'CSV_TOO_LARGE', `The file is larger than the ${this.limit}-byte limit`, []))
    else done(null, chunk)
  }
}

/**
 * Streams a CSV file through an importer: the header is checked first, then rows are read into
 * batches of about `batchSize` (a grouped record, such as an order's lines, is never split) and
 * each batch is checked and written all or nothing, the next batch being read and checked while
 * the previous one is written (two written at once where the importer allows it). Two or three
 * batches at most are held in memory, plus the keys seen so far (to find a record repeated
 * anywhere in the file). Returns the report; the report's `fileError` says why the file was
 * refused or stopped, if it was.
 */
export async function runImport(
  ctx: AppContext,
  importer: Importer,
  input: ImportInput,
): Promise<ImportResult> {
  const started = performance.now()
  const run: ImportRun = { ctx, actor: input.actor, dryRun: input.dryRun }
  const tally = new Tally(importer.type, importer.record, {
    dryRun: input.dryRun,
    file: input.file ?? null,
    batchSize: input.batchSize,
  })
  const id = input.dryRun ? null : `imp_${randomBytes(9).toString('base64url')}`
  if (id) await startRun(ctx, { id, type: importer.type, file: input.file ?? null, actor: input.actor })

  const reader = new BatchReader(importer, input.batchSize, tally)
  const counter = new ByteCounter(input.byteLimit)
  const options: Options = {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  }
  const parser = new LineParser(options)
  input.source.once('error', (error) => parser.destroy(error))
  counter.once('error', (error) => parser.destroy(error))
  input.source.pipe(counter).pipe(parser)

  let scope: BatchScope | undefined
  let fileError: FileError | null = null
  let state: unknown
  // Batches are written while the next ones are read and checked: one at a time, or two on
  // PostgreSQL for an importer whose writes allow it. Their outcomes are tallied in file order.
  const concurrent = importer.concurrent === true && !input.dryRun && ctx.database.engine === 'postgres'
  const inFlight = concurrent ? 2 : 1
  const writes: Promise<() => void>[] = []
  const tallyOldest = async () => (await writes.shift()!)()
  const next = async (batch: { rows: Row[]; errors: RowError[] }) => {
    const checked = importer.check(state, batch.rows)
    const errors = [...batch.errors, ...checked.errors]
    while (writes.length >= (errors.length > 0 ? 1 : inFlight)) await tallyOldest()
    if (errors.length > 0) {
      tally.rolledBack(batch.rows, errors)
      return
    }
    scope ??= await openScope(ctx.db, importer.type, { dryRun: input.dryRun, concurrent })
    const writing = writeBatch(
      scope,
      importer,
      run,
      state,
      { rows: batch.rows, records: checked.records },
      tally,
    )
    // Not awaited here, so reading goes on; a failure surfaces when it is tallied.
    writing.catch(() => {})
    writes.push(writing)
  }
  try {
    let lastEnd = 0
    let lastEmpty = 0
    let columns: Map<string, number> | undefined
    for await (const { record, lines, empty } of parser as AsyncIterable<Parsed>) {
      const line = lastEnd + 1 + (empty - lastEmpty)
      lastEnd = lines
      lastEmpty = empty
      reader.lastLine = lastEnd
      if (!columns) {
        const names = record.map((name) => name.trim().toLowerCase())
        state = await importer.prepare(run, names)
        columns = checkHeader(importer, names, state)
        continue
      }
      if (record.every((cell) => cell.trim() === '')) continue
      const batch = reader.add(line, record, columns)
      if (batch) await next(batch)
    }
    if (!columns) throw new FileError(400, 'CSV_EMPTY', 'The file is empty: it needs a header row', [])
    const last = reader.flush()
    if (last) await next(last)
    while (writes.length > 0) await tallyOldest()
  } catch (error) {
    // Batches still being written finish, and count.
    for (const written of await Promise.allSettled(writes))
      if (written.status === 'fulfilled') written.value()
    fileError = asFileError(error, parser)
    if (!fileError) {
      await scope?.close().catch(() => {})
      const message = `The import stopped: ${(error as Error).message}`
      tally.abandoned(reader.pendingRows)
      tally.errors([{ row: reader.lastLine + 1, column: null, message }])
      if (id) await finishRun(ctx, id, tally.finish(started, id), input.actor, input.request)
      throw error
    }
    tally.abandoned(reader.pendingRows)
    tally.errors(fileError.errors)
    input.source.unpipe(counter)
    input.source.resume()
  } finally {
    await scope?.close()
  }
  const report = tally.finish(started, id)
  if (id) await finishRun(ctx, id, report, input.actor, input.request)
  return {
    ...report,
    fileError: fileError && {
      code: fileError.code,
      message: fileError.message,
      status: fileError.statusCode,
    },
  }
}

async function writeBatch(
  scope: BatchScope,
  importer: Importer,
  run: ImportRun,
  state: unknown,
  batch: { rows: Row[]; records: unknown },
  tally: Tally,
): Promise<() => void> {
  let outcome: BatchOutcome
  let kept: boolean
  try {
    ;({ outcome, kept } = await scope.run((tx) => importer.write(run, tx, state, batch.records)))
  } catch (error) {
    if (!(error instanceof AppError) || error instanceof FileError) throw error
    // A refusal the importer did not tie to a row (the batch is already undone).
    outcome = {
      created: 0,
      updated: 0,
      skipped: 0,
      errors: [{ row: batch.rows[0]?.line ?? 0, column: null, message: error.message }],
    }
    kept = false
  }
  return kept ? () => tally.committed(outcome) : () => tally.rolledBack(batch.rows, outcome.errors)
}

function asFileError(error: unknown, parser: LineParser): FileError | null {
  if (error instanceof FileError) return error
  // Every error of the CSV parser is about the file; not all their codes start with CSV_
  // (a quote inside an unquoted field is INVALID_OPENING_QUOTE).
  if (!(error instanceof CsvError)) return null
  const code = error.code
  // Where the file stopped being readable: a parse error drops the records still queued.
  const row = parser.parsedTo + 1
  const message =
    code === 'CSV_QUOTE_NOT_CLOSED'
      ? `The quoted field starting in row ${row} is never closed (a " is missing), so the file cannot be read from there`
      : code === 'CSV_MAX_RECORD_SIZE'
        ? `Row ${row} is longer than ${MAX_RECORD_CHARS} characters (an unclosed quote?), so the file cannot be read from there`
        : `The file is not valid CSV at row ${row}: ${(error as Error).message}`
  return new FileError(400, 'CSV_MALFORMED', message, [{ row, column: null, message }])
}

class CsvRow implements Row {
  constructor(
    readonly line: number,
    private readonly cells: string[],
    private readonly columns: Map<string, number>,
  ) {}

  get(column: string): string {
    const index = this.columns.get(column)
    return index === undefined ? '' : (this.cells[index] ?? '').trim()
  }

  has(column: string): boolean {
    return this.columns.has(column)
  }
}

/** Cuts the rows into batches, checks the field count and where each record's key appeared before. */
class BatchReader {
  lastLine = 0
  private rows: Row[] = []
  private errors: RowError[] = []
  private readonly seen = new Map<string, number>()
  private currentKey: string | undefined

  constructor(
    private readonly importer: Importer,
    private readonly size: number,
    private readonly tally: Tally,
  ) {}

  get pendingRows(): number {
    return this.rows.length
  }

  /** Adds a row; returns the batch that it closed, if any (the row starts the next one). */
  add(
    line: number,
    cells: string[],
    columns: Map<string, number>,
  ): { rows: Row[]; errors: RowError[] } | null {
    this.tally.read()
    const row = new CsvRow(line, cells, columns)
    const key = this.importer.key(row)
    const grouped = this.importer.grouped === true
    const closed =
      this.rows.length >= this.size && (!grouped || key !== this.currentKey) ? this.flush() : null
    if (cells.length !== columns.size)
      this.errors.push({
        row: line,
        column: null,
        message: `Row ${line} has ${cells.length} fields; the header has ${columns.size}`,
      })
    this.checkKey(line, key, grouped)
    this.currentKey = key
    this.rows.push(row)
    return closed
  }

  flush(): { rows: Row[]; errors: RowError[] } | null {
    if (this.rows.length === 0) return null
    const batch = { rows: this.rows, errors: this.errors }
    this.rows = []
    this.errors = []
    return batch
  }

  private checkKey(line: number, key: string, grouped: boolean): void {
    if (key === '') return // the importer reports the missing value
    const first = this.seen.get(key)
    if (first === undefined) {
      this.seen.set(key, line)
      return
    }
    if (grouped && key === this.currentKey) return
    const column = this.importer.keyColumn
    this.errors.push({
      row: line,
      column,
      message: grouped
        ? `${column} ${key} was used in row ${first}: the rows of one ${this.importer.record} must be consecutive`
        : `${column} ${key} is already in row ${first} of this file`,
    })
  }
}
