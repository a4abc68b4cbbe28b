import { round } from '../../platform/numbers.ts'
import type { BatchOutcome, ImportType, Row, RowError } from './types.ts'

/** How many errors and rolled-back batches a report lists (their totals are always counted). */
export const REPORT_LIMIT = 100

export type ImportStatus = 'succeeded' | 'partial' | 'failed'

export interface ImportReport {
  /** The history entry of a real run; null for a dry run (which writes nothing, history included). */
  id: string | null
  type: ImportType
  dryRun: boolean
  file: string | null
  status: ImportStatus
  /** What created, updated and skipped count (an order is one record however many rows it has). */
  record: string
  /** Data rows read (the header not counted). */
  rows: number
  created: number
  updated: number
  /** Records that were imported before and left as they are. */
  skipped: number
  /** Rows not imported: rows with an error and every other row of their batch. */
  failed: number
  batches: { size: number; committed: number; rolledBack: number }
  rolledBack: { batch: number; fromRow: number; toRow: number; rows: number }[]
  /** The first REPORT_LIMIT errors in file order; errorCount has them all. */
  errors: RowError[]
  errorCount: number
  elapsedMs: number
  rowsPerSecond: number
}

/** Adds up batches into the report. */
export class Tally {
  private readonly report: ImportReport

  constructor(
    type: ImportType,
    record: string,
    options: { dryRun: boolean; file: string | null; batchSize: number },
  ) {
    this.report = {
      id: null,
      type,
      dryRun: options.dryRun,
      file: options.file,
      status: 'succeeded',
      record,
      rows: 0,
      created: 0,
      updated: 0,
      skipped: 0,
      failed: 0,
      batches: { size: options.batchSize, committed: 0, rolledBack: 0 },
      rolledBack: [],
      errors: [],
      errorCount: 0,
      elapsedMs: 0,
      rowsPerSecond: 0,
    }
  }

  read(): void {
    this.report.rows += 1
  }

  errors(errors: readonly RowError[]): void {
    this.report.errorCount += errors.length
    for (const error of errors) {
      if (this.report.errors.length >= REPORT_LIMIT) break
      this.report.errors.push(error)
    }
  }

  committed(outcome: BatchOutcome): void {
    this.report.batches.committed += 1
    this.report.created += outcome.created
    this.report.updated += outcome.updated
    this.report.skipped += outcome.skipped
  }

  rolledBack(rows: readonly Row[], errors: readonly RowError[]): void {
    const batch = this.report.batches.committed + this.report.batches.rolledBack + 1
    this.report.batches.rolledBack += 1
    this.report.failed += rows.length
    if (this.report.rolledBack.length < REPORT_LIMIT && rows.length > 0)
      this.report.rolledBack.push({
        batch,
        fromRow: rows[0]!.line,
        toRow: rows.at(-1)!.line,
        rows: rows.length,
      })
    this.errors([...errors].sort((a, b) => a.row - b.row))
  }

  /** Rows read but never tried, because the file stopped being readable after them. */
  abandoned(count: number): void {
    this.report.failed += count
  }

  finish(started: number, id: string | null): ImportReport {
    const elapsedMs = round(performance.now() - started)
    const failed = this.report.errorCount > 0
    return {
      ...this.report,
      id,
      status: !failed ? 'succeeded' : this.report.batches.committed > 0 ? 'partial' : 'failed',
      elapsedMs,
      rowsPerSecond: elapsedMs > 0 ? Math.round((this.report.rows / elapsedMs) * 1000) : 0,
    }
  }
}
