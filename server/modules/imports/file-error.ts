import { AppError } from '../../platform/http/errors.ts'
import type { RowError } from './types.ts'

/** Why a whole file was refused or stopped; the rows before it were imported batch by batch. */
export class FileError extends AppError {
  constructor(
    status: number,
    code: 'CSV_EMPTY' | 'CSV_COLUMNS' | 'CSV_MALFORMED' | 'CSV_TOO_LARGE',
    message: string,
    readonly errors: RowError[],
  ) {
    super(status, code, message)
  }
}
