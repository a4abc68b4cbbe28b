import type { Migration } from 'kysely'
import * as m0001 from './0001_instances.ts'

/** Every migration, in order. Files are never edited after they land; add a new one instead. */
export const migrations: Record<string, Migration> = {
  '0001_instances': m0001,
}
