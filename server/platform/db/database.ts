import { PGlite } from '@electric-sql/pglite'
import { pg_stat_statements } from '@electric-sql/pglite/contrib/pg_stat_statements'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { DatabaseConfig } from '../../config.ts'
import type { Logger } from '../observability/logger.ts'
import type { Tables } from './schema.ts'

export type Engine = DatabaseConfig['engine']
export type Db = Kysely<Tables>

export type QueryObserver = (sql: string, durationMs: number, failed: boolean) => void

export interface Database {
  engine: Engine
  pool: pg.Pool
  db: Db
  /** The embedded instance, when the engine is PGlite (backups and tests use it). */
  pglite?: PGlite
  close(): Promise<void>
}

/** Extensions loaded into every embedded instance; a data dir must be reopened with the same set. */
export const pgliteExtensions = { pg_stat_statements }

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
    pglite = await PGlite.create({
      dataDir: options.dataDir,
      extensions: pgliteExtensions,
      postgresqlconf: [`shared_buffers=${config.sharedBuffers}`],
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    })
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
 * (`pgbouncer=true`), strips statement names so nothing is prepared server-side.
 */
function timedClient(onQuery: QueryObserver, preparedStatements: boolean): typeof pg.Client {
  class TimedClient extends pg.Client {
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
          ;(last as Callback)(error, result)
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
          throw error
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
