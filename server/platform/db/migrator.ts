import { type Kysely, type MigrationResult, Migrator } from 'kysely'
import { MigrationError } from './migration-error.ts'

// biome-ignore lint/suspicious/noExplicitAny: migrations run on any schema
type AnyDb = Kysely<any>

import { migrations } from './migrations/index.ts'

export interface MigrationStatus {
  name: string
  executedAt: Date | null
}

function migrator(db: AnyDb): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  })
}

async function run(
  action: Promise<{ error?: unknown; results?: MigrationResult[] }>,
  verb: string,
): Promise<MigrationResult[]> {
  const { error, results = [] } = await action
  if (error) {
    const failed = results.find((result) => result.status === 'Error')
    const cause = error instanceof Error ? error.message : String(error)
    throw new MigrationError(
      `${verb} failed${failed ? ` at ${failed.migrationName}` : ''}: ${cause}`,
      results,
    )
  }
  return results
}

/** Applies every pending migration; throws (never exits 0) when one fails. */
export function migrateUp(db: AnyDb): Promise<MigrationResult[]> {
  return run(migrator(db).migrateToLatest(), 'migration')
}

/** Reverts the latest `steps` applied migrations. */
export async function migrateDown(db: AnyDb, steps = 1): Promise<MigrationResult[]> {
  const all: MigrationResult[] = []
  for (let i = 0; i < steps; i++) {
    const results = await run(migrator(db).migrateDown(), 'rollback')
    if (results.length === 0) break
    all.push(...results)
  }
  return all
}

export async function migrationStatus(db: AnyDb): Promise<MigrationStatus[]> {
  const list = await migrator(db).getMigrations()
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }))
}

/** The name of the newest applied migration, or null on an empty database. */
export async function currentVersion(db: AnyDb): Promise<string | null> {
  const applied = (await migrationStatus(db)).filter((m) => m.executedAt)
  return applied.at(-1)?.name ?? null
}
