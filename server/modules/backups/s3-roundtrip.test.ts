import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { type S3Fake, startS3 } from '../../../test/s3.ts'
import { adminQuery, databaseUrlFor } from '../../../test/template.ts'
import { restoreBackup } from './restore.ts'
import { applyRetention, type BackupDetail, verifyBackup } from './service.ts'
import { backupStores } from './stores.ts'

const template = inject('template')
const actor = { type: 'system', id: 'test' } as const

/** A backup goes to the local directory and to an S3 bucket (a real s3rver); either copy restores. */
describe('backups with an S3 copy', () => {
  let s3: S3Fake
  let t: TestApp
  let backup: BackupDetail
  const dir = mkdtempSync(path.join(tmpdir(), 'sentia-backups-s3-'))
  const database = template.engine === 'postgres' ? `${template.prefix}_s3_restore` : ''

  beforeAll(async () => {
    s3 = await startS3()
    t = await buildTestApp({
      start: false,
      env: {
        BACKUP_S3_BUCKET: s3.bucket,
        BACKUP_S3_ENDPOINT: s3.endpoint,
        BACKUP_S3_PREFIX: 'plant-1/',
        BACKUP_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        BACKUP_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      },
    })
    await insertCatalogAndRates(t.ctx)
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/backups',
      headers: await as(t.ctx, 'admin'),
    })
    expect(created.statusCode).toBe(201)
    backup = created.json()
  })
  afterAll(async () => {
    await t?.close()
    await s3?.close()
    rmSync(dir, { recursive: true, force: true })
    if (template.engine === 'postgres')
      await adminQuery(process.env.DATABASE_URL!, [`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`])
  })

  it('writes the archive and its manifest to both stores', async () => {
    expect(backup.stores).toEqual(['local', 's3'])
    const [local, bucket] = backupStores(t.ctx)
    for (const store of [local!, bucket!])
      expect((await store.list(`${backup.id}/`)).map((o) => o.name).sort()).toEqual([
        `${backup.id}/${template.engine === 'postgres' ? 'data.dump' : 'data.tar.gz'}`,
        `${backup.id}/manifest.json`,
      ])
  })

  it('verifies and restores from the bucket once the local copy is gone', async () => {
    rmSync(path.join(t.ctx.config.backups.dir, backup.id), { recursive: true })
    const report = await verifyBackup(t.ctx, backup.id, actor)
    expect(report).toMatchObject({ state: 'good', store: 's3' })
    const target =
      template.engine === 'postgres'
        ? databaseUrlFor(process.env.DATABASE_URL!, database)
        : path.join(dir, 'restored')
    const result = await restoreBackup(t.ctx.config, backupStores(t.ctx), { id: backup.id, target })
    expect(result.integrity.ok).toBe(true)
    expect(result.integrity.tables.find((row) => row.name === 'products')?.actual).toBeGreaterThan(0)
  })

  it('retention deletes from the bucket too', async () => {
    const older = await t.app.inject({
      method: 'POST',
      url: '/api/backups',
      headers: await as(t.ctx, 'admin'),
    })
    expect(older.statusCode).toBe(201)
    // Keep one daily backup only: the newest stays, the first goes from both stores.
    t.ctx.config.backups.keep = { daily: 1, weekly: 0, monthly: 0 }
    expect(await applyRetention(t.ctx, actor)).toEqual([backup.id])
    expect(await backupStores(t.ctx)[1]!.list(`${backup.id}/`)).toEqual([])
  })
})
