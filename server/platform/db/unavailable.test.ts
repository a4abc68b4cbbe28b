import { connect } from 'node:net'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/app.ts'
import { freePort } from '../../../test/instance.ts'
import { silentLogger } from '../../../test/template.ts'
import { loadConfig } from '../../config.ts'
import { openDatabase } from './database.ts'
import { isDatabaseUnavailable } from './unavailable.ts'

/**
 * A database that cannot be reached is a 503 `DATABASE_UNAVAILABLE`, not a 500, and a session
 * the server ends under a checked-out client does not crash the process.
 */

/** The error a statement gets from a PostgreSQL URL where nothing listens. */
async function refusedError(): Promise<unknown> {
  const port = await freePort()
  const config = loadConfig({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/none` })
  const database = await openDatabase({ config: config.database, dataDir: 'unused', logger: silentLogger })
  try {
    return await sql`select 1`.execute(database.db).then(
      () => undefined,
      (error: unknown) => error,
    )
  } finally {
    await database.close()
  }
}

describe('a database that cannot be reached', () => {
  let t: TestApp
  let refused: unknown
  beforeAll(async () => {
    refused = await refusedError()
    t = await buildTestApp({
      start: false,
      plugins: [
        (app) => {
          app.get('/test/database-gone', { config: { access: 'public' } }, async () => {
            throw refused
          })
        },
      ],
    })
  })
  afterAll(() => t.close())

  it('is told apart from other failures', async () => {
    expect((refused as Error).message).toMatch(/ECONNREFUSED/)
    expect(isDatabaseUnavailable(refused)).toBe(true)
    // The same socket error from something that is not the database client is not the database.
    const port = await freePort()
    const other = await new Promise<Error>((resolve) =>
      connect(port, '127.0.0.1').once('error', (error) => resolve(error)),
    )
    expect((other as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
    expect(isDatabaseUnavailable(other)).toBe(false)
    expect(isDatabaseUnavailable(new Error('duplicate key value violates unique constraint'))).toBe(false)
  })

  it('answers 503 DATABASE_UNAVAILABLE in the error shape, with Retry-After', async () => {
    const res = await t.app.inject({ url: '/test/database-gone' })
    expect(res.statusCode).toBe(503)
    expect(res.headers['retry-after']).toBe('5')
    expect(res.json()).toEqual({
      error: {
        code: 'DATABASE_UNAVAILABLE',
        message: 'The database cannot be reached; try again shortly',
        requestId: res.headers['x-request-id'],
      },
    })
  })

  it.runIf(process.env.DATABASE_URL)(
    'survives the server ending the session of a checked-out client, whose next statement fails as unavailable',
    async () => {
      const { pool } = t.ctx.database
      const client = await pool.connect()
      try {
        const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid')
        const ended = new Promise((resolve) => client.once('end', resolve))
        // Another connection ends this session, as a server shutting down does (57P01).
        await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(t.ctx.db)
        await ended
        const error = await client.query('select 1').then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(isDatabaseUnavailable(error)).toBe(true)
      } finally {
        client.release(true)
      }
      // The pool goes on with a new connection.
      expect((await sql<{ one: number }>`select 1 as one`.execute(t.ctx.db)).rows).toEqual([{ one: 1 }])
    },
  )
})
