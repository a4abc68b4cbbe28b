import type { Row, RowError } from './types.ts'
import type { Parsed } from './values.ts'

/** Reads a row's cells through parsers and collects what is wrong with them. */
export class RowCheck {
  readonly errors: RowError[] = []

  constructor(readonly row: Row) {}

  /** A cell that must have a value. */
  required<T>(column: string, parse: (text: string) => Parsed<T>): T | undefined {
    const text = this.row.get(column)
    if (text === '') {
      this.fail(column, `${column} is required`)
      return undefined
    }
    return this.read(column, text, parse)
  }

  /** A cell that may be empty (undefined then). */
  optional<T>(column: string, parse: (text: string) => Parsed<T>): T | undefined {
    const text = this.row.get(column)
    return text === '' ? undefined : this.read(column, text, parse)
  }

  fail(column: string | null, message: string): void {
    this.errors.push({ row: this.row.line, column, message })
  }

  get ok(): boolean {
    return this.errors.length === 0
  }

  private read<T>(column: string, text: string, parse: (text: string) => Parsed<T>): T | undefined {
    const parsed = parse(text)
    if ('error' in parsed) {
      this.fail(column, `${column}: ${parsed.error}`)
      return undefined
    }
    return parsed.value
  }
}
