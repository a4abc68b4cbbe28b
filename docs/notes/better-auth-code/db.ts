import { PGlite } from '@electric-sql/pglite'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'

export async function openDb(kind: 'pglite' | 'pg' = (process.env.DB_KIND as any) ?? 'pglite') {
  let pool: pg.Pool
  let pglite: PGlite | undefined
  if (kind === 'pglite') {
    pglite = await PGlite.create({ dataDir: 'memory://' })
    pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 })
  } else {
    pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ba_scratch', max: 5 })
  }
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
  return { db, pool, pglite, async close() { await db.destroy(); if (pglite && !pglite.closed) await pglite.close() } }
}
