import type { MigrationResult } from 'kysely'

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResult[],
  ) {
    super(message)
    this.name = 'MigrationError'
  }
}
