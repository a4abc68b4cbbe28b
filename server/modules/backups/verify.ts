import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../platform/http/errors.ts'
import { ARCHIVE, MANIFEST, type Manifest, parseManifest, sha256File } from './manifest.ts'
import type { BackupStore } from './store.ts'
import { listTarGz } from './tar.ts'
import { run } from './tools.ts'

/** Checking a backup's archive against its manifest: checksum, size, readable, the tables it holds. */

export interface VerifyCheck {
  name: 'present' | 'manifest' | 'size' | 'sha256' | 'readable' | 'contents'
  ok: boolean
  detail: string
}

export interface VerifyReport {
  id: string
  state: 'good' | 'corrupt'
  /** The store the checked copy came from (null: no store has it). */
  store: 'local' | 's3' | null
  checks: VerifyCheck[]
  verifiedAt: string
}

export interface Fetched {
  store: BackupStore
  manifest: Manifest | undefined
  manifestError?: string
  /** The archive's local copy, undefined when the store has only the manifest. */
  archive: string | undefined
}

/** Downloads a backup from the first store that has it into `dir`; 404 when none has it. */
export async function fetchBackup(stores: BackupStore[], id: string, dir: string): Promise<Fetched> {
  let partial: BackupStore | undefined
  for (const store of stores) {
    const names = new Set((await store.list(`${id}/`)).map((entry) => entry.name))
    const archive = Object.values(ARCHIVE).find((file) => names.has(`${id}/${file}`))
    if (!names.has(`${id}/${MANIFEST}`) || !archive) {
      if (names.size > 0) partial ??= store
      continue
    }
    const manifestFile = path.join(dir, MANIFEST)
    await store.get(`${id}/${MANIFEST}`, manifestFile)
    const archiveFile = path.join(dir, archive)
    await store.get(`${id}/${archive}`, archiveFile)
    try {
      return {
        store,
        manifest: parseManifest(await readFile(manifestFile, 'utf8'), id),
        archive: archiveFile,
      }
    } catch (error) {
      return { store, manifest: undefined, manifestError: (error as Error).message, archive: archiveFile }
    }
  }
  if (partial) return { store: partial, manifest: undefined, manifestError: 'incomplete', archive: undefined }
  throw new AppError(404, 'BACKUP_NOT_FOUND', `no backup store has backup ${id}`)
}

/**
 * Every check of a fetched backup. `expected` is what the backups table recorded (when the
 * database is at hand): the stored manifest must agree with it.
 */
export async function checkBackup(
  fetched: Fetched,
  expected?: { sha256: string | null; sizeBytes: number | null },
): Promise<VerifyCheck[]> {
  const { manifest, archive } = fetched
  if (!archive)
    return [
      { name: 'present', ok: false, detail: `${fetched.store.kind} store holds the backup only in part` },
    ]
  const checks: VerifyCheck[] = [
    { name: 'present', ok: true, detail: `read from the ${fetched.store.kind} store` },
  ]
  if (!manifest) {
    checks.push({ name: 'manifest', ok: false, detail: `unreadable manifest: ${fetched.manifestError}` })
    return checks
  }
  const agrees =
    !expected ||
    (expected.sha256 === manifest.sha256 && (expected.sizeBytes ?? manifest.sizeBytes) === manifest.sizeBytes)
  checks.push({
    name: 'manifest',
    ok: agrees && path.basename(archive) === ARCHIVE[manifest.engine],
    detail: agrees
      ? `${manifest.engine} backup, migration ${manifest.migration}`
      : 'differs from the recorded backup',
  })
  const size = (await stat(archive)).size
  checks.push({
    name: 'size',
    ok: size === manifest.sizeBytes,
    detail:
      size === manifest.sizeBytes
        ? `${size} bytes`
        : `${size} bytes, the manifest says ${manifest.sizeBytes}`,
  })
  const sha = await sha256File(archive)
  checks.push({
    name: 'sha256',
    ok: sha === manifest.sha256,
    detail: sha === manifest.sha256 ? sha : `${sha}, the manifest says ${manifest.sha256}`,
  })
  checks.push(
    ...(manifest.engine === 'postgres' ? await checkDump(archive, manifest) : await checkTar(archive)),
  )
  return checks
}

/** pg_restore --list reads the table of contents; every table of the manifest must have its data in it. */
async function checkDump(file: string, manifest: Manifest): Promise<VerifyCheck[]> {
  const result = await run('pg_restore', ['--list', file])
  if (result.code !== 0)
    return [
      {
        name: 'readable',
        ok: false,
        detail: `pg_restore --list failed: ${result.stderr.trim().slice(0, 500)}`,
      },
    ]
  const withData = new Set(
    [...result.stdout.matchAll(/ TABLE DATA public (\S+) /g)].map((match) => match[1]!),
  )
  const missing = Object.keys(manifest.tables).filter((table) => !withData.has(table))
  return [
    {
      name: 'readable',
      ok: true,
      detail: `table of contents: ${result.stdout.split('\n').filter((l) => /^\d+;/.test(l)).length} entries`,
    },
    {
      name: 'contents',
      ok: missing.length === 0,
      detail:
        missing.length === 0 ? `data of all ${withData.size} tables` : `no data for ${missing.join(', ')}`,
    },
  ]
}

/** The gzipped tar is read to its end; it must hold a PostgreSQL cluster (PG_VERSION, pg_control). */
async function checkTar(file: string): Promise<VerifyCheck[]> {
  let entries: string[]
  try {
    entries = await listTarGz(file)
  } catch (error) {
    return [{ name: 'readable', ok: false, detail: (error as Error).message }]
  }
  const has = (suffix: string) => entries.some((entry) => entry === suffix || entry.endsWith(`/${suffix}`))
  const missing = ['PG_VERSION', 'global/pg_control'].filter((file) => !has(file))
  return [
    { name: 'readable', ok: true, detail: `${entries.length} files` },
    {
      name: 'contents',
      ok: missing.length === 0,
      detail: missing.length === 0 ? 'a PostgreSQL data directory' : `no ${missing.join(', ')}`,
    },
  ]
}

export const stateOf = (checks: VerifyCheck[]): VerifyReport['state'] =>
  checks.every((check) => check.ok) ? 'good' : 'corrupt'
