import { existsSync } from 'node:fs'
import path from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { DatabaseConfig } from '../../config.ts'
import type { Logger } from '../observability/logger.ts'
import type { Tables } from './schema.ts'
import { markIfConnectionError } from './unavailable.ts'

export type Engine = DatabaseConfig['engine']
export type Db = Kysely<Tables>

export type QueryObserver = (sql: string, durationMs: number, failed: boolean) => void

// A `date` is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of a Date at the
// process's local midnight (which would shift it in any time zone west of UTC).
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value)

export interface Database {
  engine: Engine
  pool: pg.Pool
  db: Db
  /** The embedded instance, when the engine is PGlite (backups and tests use it). */
  pglite?: PGlite
  close(): Promise<void>
}

export interface OpenOptions {
  config: DatabaseConfig
  /** Data directory for PGlite (`memory://` for a throwaway instance). */
  dataDir: string
  /** A gzipped data-dir dump to start from (tests start from a migrated template). */
  loadDataDir?: Blob
  logger: Logger
  onQuery?: QueryObserver
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const { config, logger } = options
  const Client = timedClient(options.onQuery ?? (() => {}), config.preparedStatements)
  let pglite: PGlite | undefined
  let pool: pg.Pool
  if (config.engine === 'pglite') {
    // Loaded only for this engine: on PostgreSQL the embedded engine's code is never needed.
    const { PGlite } = await import('@electric-sql/pglite')
    const { pg_stat_statements } = await import('@electric-sql/pglite/contrib/pg_stat_statements')
    const { createPgConfig } = await import('@electric-sql/pglite/node-postgres')
    const open = () =>
      PGlite.create({
        dataDir: options.dataDir,
        // A data dir must always be reopened with the same extensions.
        extensions: { pg_stat_statements },
        postgresqlconf: [`shared_buffers=${config.sharedBuffers}`],
        ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      })
    // Creating a cluster (initdb) grows PGlite's WebAssembly memory to about 800 MB, and such
    // memory never shrinks. Closing the instance that created it and opening the cluster again
    // gives that memory back: idle RSS after a first start went from 825 to 395 MB (bench/).
    const creates = !options.loadDataDir && !options.dataDir.startsWith('memory://')
    if (creates && !existsSync(path.join(options.dataDir, 'PG_VERSION'))) await (await open()).close()
    pglite = await open()
    await pglite.exec('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
    pool = new pg.Pool({ ...createPgConfig(pglite), Client, max: 1 })
  } else {
    pool = new pg.Pool({
      connectionString: config.connectionString,
      max: config.poolSize,
      connectionTimeoutMillis: config.connectionTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: 'sentia',
      Client,
    })
  }
  // An idle client that loses its server emits here; without a listener the process would crash.
  pool.on('error', (error) => logger.warn({ err: error }, 'database connection lost'))
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) })
  return {
    engine: config.engine,
    pool,
    db,
    pglite,
    async close() {
      await db.destroy()
      if (pglite && !pglite.closed) await pglite.close()
    },
  }
}

type QueryArgs = [unknown, ...unknown[]]
type Callback = (error: Error | null, result: unknown) => void

/**
 * A pg.Client that times every statement it sends and, when prepared statements are off
 * (`pgbouncer=true`), strips statement names so nothing is prepared server-side. Its connection
 * errors are marked as the database's (`unavailable.ts`), so requests get a 503 for them.
 */
function timedClient(onQuery: QueryObserver, preparedStatements: boolean): typeof pg.Client {
  class TimedClient extends pg.Client {
    constructor(...args: ConstructorParameters<typeof pg.Client>) {
      super(...args)
      // A server that ends its sessions (shutdown, restart) makes each client emit 'error'.
      // pg-pool listens only while a client is idle; one checked out at that moment (between a
      // transaction's statements, or while its failed statement unwinds) would crash the process
      // with an unhandled 'error'. Its statements fail anyway, and pg-pool drops it on release.
      this.on('error', () => {})
    }

    // biome-ignore lint/suspicious/noExplicitAny: pg's overloaded signature
    override connect(...args: any[]): any {
      const [callback] = args as [((error: Error | null) => void) | undefined]
      if (typeof callback === 'function')
        return super.connect((error: Error | null) => callback(error && markIfConnectionError(error, true)))
      return super.connect().catch((error: unknown) => {
        throw markIfConnectionError(error, true)
      })
    }

    // biome-ignore lint/suspicious/noExplicitAny: pg's overloaded signature
    override query(...args: any[]): any {
      const [first] = args as QueryArgs
      if (isSubmittable(first)) return super.query(first as never)
      const sql = typeof first === 'string' ? first : String((first as { text?: string })?.text ?? '')
      if (!preparedStatements && typeof first === 'object' && first !== null && 'name' in first) {
        args[0] = { ...(first as object), name: undefined }
      }
      const started = performance.now()
      const finish = (failed: boolean) => onQuery(sql, performance.now() - started, failed)
      const last = args.at(-1)
      if (typeof last === 'function') {
        args[args.length - 1] = (error: Error | null, result: unknown) => {
          finish(Boolean(error))
          ;(last as Callback)(error && markIfConnectionError(error), result)
        }
        return super.query(...(args as [never]))
      }
      return (super.query(...(args as [never])) as Promise<unknown>).then(
        (result) => {
          finish(false)
          return result
        },
        (error: unknown) => {
          finish(true)
          throw markIfConnectionError(error)
        },
      )
    }
  }
  return TimedClient as typeof pg.Client
}

function isSubmittable(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { submit?: unknown }).submit === 'function'
  )
}
