import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { inject } from 'vitest'
import { type BuildOptions, buildApp } from '../server/app.ts'
import { loadConfig, type Role } from '../server/config.ts'
import { type AppContext, closeContext, createContext, startContext } from '../server/context.ts'
import { createApiKey } from '../server/modules/apikeys/service.ts'
import type { Clock } from '../server/platform/clock.ts'
import type { UserRole } from '../server/platform/http/access.ts'
import type { Logger } from '../server/platform/observability/logger.ts'
import { createLogger } from '../server/platform/observability/logger.ts'
import { adminQuery, databaseUrlFor } from './template.ts'

export interface TestContextOptions {
  clock?: Clock
  role?: Role
  /** Extra environment for the config (the real environment is not read). */
  env?: Record<string, string>
  /** Use REDIS_URL from the environment for cache and bus. */
  redis?: boolean
  /** Start jobs, schedules and module start hooks (default true). */
  start?: boolean
  logger?: Logger
}

/** A context on a fresh copy of the migrated test database, in a temporary DATA_DIR. */
export async function createTestContext(options: TestContextOptions = {}): Promise<AppContext> {
  const template = inject('template')
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sentia-ctx-'))
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    DEMO_DATA: 'false',
    // Tests evaluate alerts by calling the evaluation; no background timer.
    ALERT_EVALUATION_SECONDS: '0',
    // Tests take metric samples by calling sampleOnce; no sampling timer.
    SAMPLER_INTERVAL_SECONDS: '0',
    // Tests check deployments for regressions by calling the check; no background timer.
    DEPLOY_REGRESSION_CHECK_SECONDS: '0',
    ...options.env,
  }
  if (options.redis && process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL
  let templateBlob: Blob | undefined
  let database: string | undefined
  if (template.engine === 'pglite') {
    templateBlob = new Blob([readFileSync(template.file)])
  } else {
    database = `${template.prefix}_${randomBytes(4).toString('hex')}`
    const baseUrl = process.env.DATABASE_URL!
    await adminQuery(baseUrl, [`CREATE DATABASE ${database} TEMPLATE ${template.database}`])
    env.DATABASE_URL = databaseUrlFor(baseUrl, database)
  }
  const config = loadConfig(env)
  const ctx = await createContext({
    config,
    // Each context gets its own logger (its level can be changed at run time) writing nowhere.
    logger: options.logger ?? createLogger(config, discard()),
    role: options.role,
    clock: options.clock,
    template: templateBlob,
  })
  if (options.start ?? true) await startContext(ctx)
  ctx.lifecycle.state = 'ready'
  cleanups.set(ctx, async () => {
    rmSync(dataDir, { recursive: true, force: true })
    if (database)
      await adminQuery(process.env.DATABASE_URL!, [`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`])
  })
  return ctx
}

const cleanups = new WeakMap<AppContext, () => Promise<void>>()

export async function closeTestContext(ctx: AppContext): Promise<void> {
  await closeContext(ctx, 5000)
  await cleanups.get(ctx)?.()
}

export interface TestApp {
  ctx: AppContext
  app: FastifyInstance
  close(): Promise<void>
}

export async function buildTestApp(options: TestContextOptions & BuildOptions = {}): Promise<TestApp> {
  const ctx = await createTestContext(options)
  const app = await buildApp(ctx, options)
  return {
    ctx,
    app,
    async close() {
      await app.close()
      await closeTestContext(ctx)
    },
  }
}

const keys = new WeakMap<AppContext, Map<UserRole, string>>()

/** An `Authorization` header carrying an API key of the given role (one key per role and context). */
export async function as(ctx: AppContext, role: UserRole): Promise<{ authorization: string }> {
  const byRole = keys.get(ctx) ?? new Map<UserRole, string>()
  keys.set(ctx, byRole)
  let key = byRole.get(role)
  if (!key) {
    key = (await createApiKey(ctx, { name: `test ${role}`, role }, { type: 'system', id: 'test' })).key
    byRole.set(role, key)
  }
  return { authorization: `Bearer ${key}` }
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done()
    },
  })
}
