import type { Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Tables } from '../../platform/db/schema.ts'
import type { UserRole } from '../../platform/http/access.ts'
import type { Actor } from '../../platform/http/principal.ts'

export const IMPORT_TYPES = ['orders', 'products', 'stock', 'sessions'] as const
export type ImportType = (typeof IMPORT_TYPES)[number]

/** A problem with one cell, one row or (row 1, no column) the file's header. Rows are file lines. */
export interface RowError {
  row: number
  column: string | null
  message: string
}

/** One data row of the file: its line number (the header is row 1) and its cells by column name. */
export interface Row {
  line: number
  /** The trimmed cell of a column; '' when the cell is empty or the file has no such column. */
  get(column: string): string
  has(column: string): boolean
}

/** What a batch did once it committed (or, in a dry run, would have). */
export interface BatchOutcome {
  created: number
  updated: number
  skipped: number
  /** Any error rolls the whole batch back. */
  errors: RowError[]
}

export interface ImportRun {
  ctx: AppContext
  actor: Actor
  dryRun: boolean
}

/**
 * One kind of import: its columns, what identifies a record in a file, and how a batch of rows
 * is checked and written (in the transaction the runner gives it, rolled back on any error).
 */
export interface Importer<State = unknown, Checked = unknown> {
  type: ImportType
  /** The lowest role that may run it (the same as the API writes it stands for). */
  access: UserRole
  /** What a record is, for the report ("order", "product", ...). */
  record: string
  required: readonly string[]
  optional: readonly string[]
  /** Columns beyond the fixed ones (products: price_<market>); returns a reason to refuse one. */
  extraColumn?(column: string, state: State): string | null
  /**
   * What identifies a record: a repeat elsewhere in the file is an error. With `grouped`, rows
   * with the same key form one record (an order's lines): they must be consecutive and are never
   * split between batches.
   */
  key(row: Row): string
  keyColumn: string
  grouped?: boolean
  /** Reads what checking rows needs (reference data), once per import. */
  prepare(run: ImportRun, columns: readonly string[]): Promise<State>
  /**
   * Checks a batch against the file's rules and the reference data, in memory and outside any
   * transaction (so the next batch is checked while the previous one is being written).
   */
  check(state: State, rows: Row[]): { errors: RowError[]; records: Checked }
  /**
   * Batches may be written two at a time, and alongside another import of this type, on
   * PostgreSQL: `write` takes the row locks other writers share only in its last, short statement,
   * and a batch run again after colliding with another import (a unique key) finds and skips the
   * records that import created. Otherwise imports of a type take turns per batch.
   */
  concurrent?: boolean
  /** Writes a batch that passed `check`, in the runner's transaction; any error it returns undoes the batch. */
  write(run: ImportRun, tx: Transaction<Tables>, state: State, records: Checked): Promise<BatchOutcome>
}
