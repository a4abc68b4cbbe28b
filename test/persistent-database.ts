import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { inject } from 'vitest'
import { loadConfig, type Role } from '../server/config.ts'
import { type AppContext, closeContext, createContext, startContext } from '../server/context.ts'
import type { Clock } from '../server/platform/clock.ts'
import { openDatabase } from '../server/platform/db/database.ts'
import { createLogger } from '../server/platform/observability/logger.ts'
import { adminQuery, databaseUrlFor, silentLogger } from './template.ts'

/**
 * A migrated database that outlives an app context, for restart tests: contexts (and `sentia`
 * child processes, through `env`) open it one after another, as a restarted or killed server
 * does. Embedded: a copy of the test template in a real DATA_DIR on disk. PostgreSQL: a copy of
 * the template database.
 */
export interface PersistentDatabase {
  /** DATA_DIR, and DATABASE_URL on PostgreSQL: what a process needs to open this database. */
  env: Record<string, string>
  open(options?: {
    clock?: Clock
    env?: Record<string, string>
    role?: Role
    start?: boolean
  }): Promise<AppContext>
  drop(): Promise<void>
}

export async function createPersistentDatabase(): Promise<PersistentDatabase> {
  const template = inject('template')
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sentia-persistent-'))
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO_DATA: 'false' }
  let database: string | undefined
  if (template.engine === 'pglite') {
    // Unpacked into DATA_DIR/pg once; every later open finds the cluster there.
    const config = loadConfig(env)
    const unpacked = await openDatabase({
      config: config.database,
      dataDir: path.join(dataDir, 'pg'),
      loadDataDir: new Blob([readFileSync(template.file)]),
      logger: silentLogger,
    })
    await unpacked.close()
  } else {
    database = `${template.prefix}_${randomBytes(4).toString('hex')}`
    const baseUrl = process.env.DATABASE_URL!
    await adminQuery(baseUrl, [`CREATE DATABASE ${database} TEMPLATE ${template.database}`])
    env.DATABASE_URL = databaseUrlFor(baseUrl, database)
  }
  return {
    env,
    async open(options = {}) {
      const config = loadConfig({ ...env, ...options.env })
      const ctx = await createContext({
        config,
        logger: createLogger(config, new Writable({ write: (_chunk, _encoding, done) => done() })),
        role: options.role,
        clock: options.clock,
      })
      if (options.start ?? true) await startContext(ctx)
      ctx.lifecycle.state = 'ready'
      return ctx
    },
    async drop() {
      rmSync(dataDir, { recursive: true, force: true })
      if (database)
        await adminQuery(process.env.DATABASE_URL!, [`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`])
    },
  }
}

export { closeContext }
