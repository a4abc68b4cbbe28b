import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { adminQuery, buildPgliteTemplate, buildPostgresTemplate } from './template.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Embedded: path of the migrated data-dir dump. PostgreSQL: name of the template database. */
    template: { engine: 'pglite'; file: string } | { engine: 'postgres'; database: string; prefix: string }
  }
}

export default async function setup(project: TestProject) {
  const databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) {
    const dir = mkdtempSync(path.join(tmpdir(), 'sentia-test-'))
    const file = path.join(dir, 'template.tar.gz')
    const dump = await buildPgliteTemplate()
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()))
    project.provide('template', { engine: 'pglite', file })
    return () => rmSync(dir, { recursive: true, force: true })
  }
  const prefix = `sentia_test_${process.pid}_${Date.now().toString(36)}`
  const database = `${prefix}_template`
  await buildPostgresTemplate(databaseUrl, database)
  project.provide('template', { engine: 'postgres', database, prefix })
  return async () => {
    // Drop every database this run created, so nothing is left behind.
    const url = new URL(databaseUrl)
    url.pathname = '/postgres'
    const client = new pg.Client({ connectionString: url.toString() })
    await client.connect()
    const { rows } = await client.query<{ datname: string }>(
      'select datname from pg_database where datname like $1',
      [`${prefix}%`],
    )
    await client.end()
    await adminQuery(
      databaseUrl,
      rows.map((row) => `DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`),
    )
  }
}
