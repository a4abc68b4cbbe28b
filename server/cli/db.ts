import type { Command } from 'commander'
import { loadConfig } from '../config.ts'
import type { Database } from '../platform/db/database.ts'
import { acquireDataDirLock } from '../platform/db/lockfile.ts'
import { createLogger } from '../platform/observability/logger.ts'
import { printJson, printTable } from './output.ts'

// The database engine and migrator are loaded when a command runs, so `--help` stays fast.
const migrator = () => import('../platform/db/migrator.ts')

/** Opens the configured database (taking DATA_DIR's lock on the embedded engine) for one command. */
export async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const logger = createLogger({ ...config, logLevel: 'warn' })
  const lock = config.database.engine === 'pglite' ? acquireDataDirLock(config.dataDir, 'cli') : undefined
  try {
    const { openDatabase } = await import('../platform/db/database.ts')
    const database = await openDatabase({ config: config.database, dataDir: `${config.dataDir}/pg`, logger })
    try {
      return await work(database)
    } finally {
      await database.close()
    }
  } finally {
    lock?.release()
  }
}

export function registerDbCommands(program: Command): void {
  program
    .command('db:migrate')
    .description('apply every pending migration')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const { migrateUp } = await migrator()
      const results = await withDatabase((database) => migrateUp(database.db))
      const applied = results.map((r) => ({ name: r.migrationName, status: r.status }))
      if (options.json) return printJson({ applied })
      if (applied.length === 0) return console.log('Database is up to date.')
      for (const m of applied) console.log(`applied ${m.name}`)
    })

  program
    .command('db:rollback')
    .description('revert the most recent migration(s)')
    .option('--steps <n>', 'how many migrations to revert', '1')
    .option('--json', 'print the result as JSON')
    .action(async (options: { steps: string; json?: boolean }) => {
      const steps = Number(options.steps)
      if (!Number.isInteger(steps) || steps < 1)
        throw new Error('--steps must be a whole number of at least 1')
      const { migrateDown } = await migrator()
      const results = await withDatabase((database) => migrateDown(database.db, steps))
      const reverted = results.map((r) => ({ name: r.migrationName, status: r.status }))
      if (options.json) return printJson({ reverted })
      if (reverted.length === 0) return console.log('Nothing to roll back.')
      for (const m of reverted) console.log(`reverted ${m.name}`)
    })

  program
    .command('db:status')
    .description('list migrations and whether each is applied')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const { migrationStatus } = await migrator()
      const status = await withDatabase((database) => migrationStatus(database.db))
      if (options.json) return printJson({ migrations: status })
      printTable(
        status.map((m) => ({
          migration: m.name,
          applied: m.executedAt ? m.executedAt.toISOString() : 'pending',
        })),
        ['migration', 'applied'],
      )
    })
}
