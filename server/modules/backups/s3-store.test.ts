import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type S3Fake, startS3 } from '../../../test/s3.ts'
import { loadConfig } from '../../config.ts'
import { S3Store, S3StoreError, type S3StoreOptions, s3StoreFromConfig } from './s3-store.ts'

/** The S3 store against a real S3 API (s3rver on loopback); no database involved. */

let s3: S3Fake
let dir: string
const stores: S3Store[] = []

beforeAll(async () => {
  s3 = await startS3()
  dir = mkdtempSync(path.join(tmpdir(), 'sentia-s3-store-'))
})

afterAll(async () => {
  for (const store of stores) store.destroy()
  await s3?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function store(options: Partial<S3StoreOptions> = {}): S3Store {
  const created = new S3Store({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: s3.bucket,
    prefix: 'sentia/backups/',
    ...s3.credentials,
    forcePathStyle: true,
    ...options,
  })
  stores.push(created)
  return created
}

function file(name: string, content: Buffer | string): string {
  const target = path.join(dir, name)
  writeFileSync(target, content)
  return target
}

const sha256 = (target: string) => createHash('sha256').update(readFileSync(target)).digest('hex')

async function failure(promise: Promise<unknown>): Promise<S3StoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(S3StoreError)
  return error as S3StoreError
}

describe('S3Store', () => {
  it('puts a file and gets it back byte for byte, under its prefix', async () => {
    const backups = store({ prefix: 'round-trip' })
    expect(backups.kind).toBe('s3')
    expect(backups.prefix).toBe('round-trip/')
    const content = Buffer.concat([Buffer.from('{"tables":3}\n'), randomBytes(1000)])
    await backups.put('b1/manifest.json', file('manifest.json', content))

    const target = path.join(dir, 'restored-manifest.json')
    await backups.get('b1/manifest.json', target)
    expect(readFileSync(target).equals(content)).toBe(true)
    expect(await store({ prefix: '' }).list('round-trip/')).toEqual([
      { name: 'round-trip/b1/manifest.json', size: content.length },
    ])
  })

  it('uploads a file larger than one part in parts and downloads it identical', async () => {
    const backups = store({ prefix: 'multipart/', partSizeBytes: 5 * 1024 * 1024 })
    const source = file('large.dump', randomBytes(11 * 1024 * 1024 + 123))
    await backups.put('b2/data.dump', source)
    await s3.logged()

    const key = `/${s3.bucket}/multipart/b2/data.dump`
    const parts = s3.requests.filter((r) => r.method === 'PUT' && r.url.startsWith(`${key}?`))
    expect(parts.map((r) => new URL(r.url, s3.endpoint).searchParams.get('partNumber')).sort()).toEqual([
      '1',
      '2',
      '3',
    ])
    expect(s3.requests.filter((r) => r.method === 'POST' && r.url.startsWith(key))).toHaveLength(2)

    const target = path.join(dir, 'large-restored.dump')
    await backups.get('b2/data.dump', target)
    expect(sha256(target)).toBe(sha256(source))
    expect(await backups.list('b2/')).toEqual([{ name: 'b2/data.dump', size: 11 * 1024 * 1024 + 123 }])
  })

  it('lists by prefix across pages of continuation tokens, names without the store prefix', async () => {
    const backups = store({ prefix: 'paged', listPageSize: 2 })
    const source = file('small.txt', 'x')
    const names = ['a/1', 'a/2', 'a/3', 'a/4', 'a/5', 'b/1']
    for (const name of names) await backups.put(name, source)

    expect(await backups.list('a/')).toEqual(
      ['a/1', 'a/2', 'a/3', 'a/4', 'a/5'].map((name) => ({ name, size: 1 })),
    )
    expect((await backups.list()).map((object) => object.name)).toEqual(names)
    expect(await backups.list('c/')).toEqual([])
    // Six keys two at a time: three pages, the later ones asked for with a continuation token.
    await s3.logged()
    const before = s3.requests.length
    await backups.list()
    await s3.logged()
    const pages = s3.requests.slice(before).map((r) => new URL(r.url, s3.endpoint).searchParams)
    expect(pages.map((query) => query.get('max-keys'))).toEqual(['2', '2', '2'])
    expect(pages.map((query) => query.has('continuation-token'))).toEqual([false, true, true])
  })

  it('deletes one object and leaves the others', async () => {
    const backups = store({ prefix: 'deleting/' })
    const source = file('delete-me.txt', 'gone soon')
    await backups.put('b3/manifest.json', source)
    await backups.put('b3/data.dump', source)
    await backups.delete('b3/data.dump')
    expect(await backups.list()).toEqual([{ name: 'b3/manifest.json', size: 9 }])
    await backups.delete('b3/data.dump')
  })

  it('fails to get a missing key with an error naming it, and writes no file', async () => {
    const backups = store({ prefix: 'missing/' })
    const target = path.join(dir, 'never-written.dump')
    const error = await failure(backups.get('nope/data.dump', target))
    expect(error.message).toContain(`s3://${s3.bucket}/missing/nope/data.dump`)
    expect(error.message).toContain('NoSuchKey')
    expect(error.key).toBe('missing/nope/data.dump')
    expect(existsSync(target)).toBe(false)
    expect(readdirSync(dir).filter((name) => name.includes('never-written'))).toEqual([])
  })

  it('refuses names that are not clean relative paths', async () => {
    const backups = store()
    const source = file('bad-name.txt', 'x')
    for (const name of ['', '../escape', 'b7//data.dump', '/b7/data.dump', 'b7/./data.dump'])
      await expect(backups.put(name, source)).rejects.toThrow(`invalid backup file name "${name}"`)
    expect(await backups.list('b7')).toEqual([])
  })

  it('fails with a clear error when the bucket does not exist', async () => {
    const backups = store({ bucket: 'no-such-bucket' })
    const error = await failure(backups.put('b4/manifest.json', file('orphan.json', '{}')))
    expect(error.message).toMatch(
      /^S3 upload of s3:\/\/no-such-bucket\/sentia\/backups\/b4\/manifest\.json failed/,
    )
    expect(error.message).toContain('NoSuchBucket')
    expect((await failure(backups.list())).message).toContain('NoSuchBucket')
  })

  it('fails with a clear error for an unknown access key, without the credentials', async () => {
    const secretAccessKey = 'wrong-secret-9f8e7d6c5b4a'
    const backups = store({ accessKeyId: 'NOT-A-KEY-ID', secretAccessKey })
    const error = await failure(backups.put('b5/manifest.json', file('denied.json', '{}')))
    expect(error.message).toContain(`s3://${s3.bucket}/sentia/backups/b5/manifest.json`)
    expect(error.message).toContain('InvalidAccessKeyId')
    expect(error.message).not.toContain(secretAccessKey)
    expect(error.message).not.toContain('NOT-A-KEY-ID')
    expect(JSON.stringify(error)).not.toContain(secretAccessKey)
  })
})

describe('s3StoreFromConfig', () => {
  it('makes no store without BACKUP_S3_BUCKET', () => {
    const config = loadConfig({})
    expect(config.backupS3).toBeUndefined()
    expect(s3StoreFromConfig(config)).toBeUndefined()
  })

  it('makes a working store from the BACKUP_S3_ variables', async () => {
    const config = loadConfig({
      BACKUP_S3_BUCKET: s3.bucket,
      BACKUP_S3_PREFIX: 'from-config',
      BACKUP_S3_ENDPOINT: s3.endpoint,
      BACKUP_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      BACKUP_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    })
    expect(config.backupS3).toEqual({
      bucket: s3.bucket,
      prefix: 'from-config/',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    })
    expect(config.secrets).toContain('S3RVER')
    const backups = s3StoreFromConfig(config)!
    stores.push(backups)
    expect(backups).toBeInstanceOf(S3Store)
    await backups.put('b6/manifest.json', file('configured.json', '{"ok":true}'))
    expect(await store({ prefix: '' }).list('from-config/')).toEqual([
      { name: 'from-config/b6/manifest.json', size: 11 },
    ])
  })

  it('defaults and rejects like the rest of the configuration', () => {
    expect(loadConfig({ BACKUP_S3_BUCKET: 'acme-backups' }).backupS3).toEqual({
      bucket: 'acme-backups',
      prefix: 'sentia/backups/',
      endpoint: undefined,
      region: 'us-east-1',
      accessKeyId: undefined,
      secretAccessKey: undefined,
      forcePathStyle: false,
    })
    expect(
      loadConfig({
        BACKUP_S3_BUCKET: 'acme-backups',
        BACKUP_S3_PREFIX: '/',
        BACKUP_S3_FORCE_PATH_STYLE: 'true',
      }).backupS3,
    ).toMatchObject({ prefix: '', forcePathStyle: true })
    expect(() => loadConfig({ BACKUP_S3_BUCKET: 'Not_A_Bucket' })).toThrow(/^BACKUP_S3_BUCKET: /)
    expect(() => loadConfig({ BACKUP_S3_BUCKET: 'b-1', BACKUP_S3_ACCESS_KEY_ID: 'id' })).toThrow(
      /^BACKUP_S3_SECRET_ACCESS_KEY: /,
    )
    expect(() => loadConfig({ BACKUP_S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow(/^BACKUP_S3_BUCKET: /)
  })
})
