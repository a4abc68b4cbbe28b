import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises'
import path from 'node:path'

/**
 * Where backups are kept. Names are relative, `/`-separated (`<id>/manifest.json`); a backup is
 * written to every store and read from the first one that has it.
 */
export interface BackupStore {
  readonly kind: 'local' | 's3'
  /** Uploads the local file `file` as `name` (replacing it). */
  put(name: string, file: string): Promise<void>
  /** Downloads `name` into the local file `file`; fails when the store does not have it. */
  get(name: string, file: string): Promise<void>
  /** Every stored name (starting with `prefix`) and its size in bytes. */
  list(prefix?: string): Promise<{ name: string; size: number }[]>
  /** Deletes `name`; deleting a name that is not there is not an error. */
  delete(name: string): Promise<void>
}

/** Temporary names of half-written files: never listed, never read. */
const PARTIAL = /\.partial-[0-9a-f]{12}$/
/** Errors of a full volume (or a used-up quota): said in plain words, without the temporary paths. */
const VOLUME_FULL = new Set(['ENOSPC', 'EDQUOT'])

/** A store's volume or quota is full: the API answers 507 rather than a plain 500. */
export class VolumeFullError extends Error {}

/** A directory on this host (BACKUP_DIR). A file is written under a temporary name, then renamed. */
export class LocalStore implements BackupStore {
  readonly kind = 'local' as const

  constructor(readonly dir: string) {}

  #path(name: string): string {
    const parts = name.split('/')
    if (!name || parts.some((part) => part === '' || part === '.' || part === '..'))
      throw new Error(`invalid backup file name "${name}"`)
    return path.join(this.dir, ...parts)
  }

  async put(name: string, file: string): Promise<void> {
    const target = this.#path(name)
    const partial = `${target}.partial-${randomBytes(6).toString('hex')}`
    try {
      await mkdir(path.dirname(target), { recursive: true })
      await copyFile(file, partial)
      await rename(partial, target)
    } catch (error) {
      await rm(partial, { force: true })
      // A backup directory made for nothing (the disk was full) would look like a backup.
      await this.#removeEmptyParent(target)
      if (VOLUME_FULL.has((error as NodeJS.ErrnoException).code ?? ''))
        throw new VolumeFullError(`no space left on the backup volume ${this.dir} (writing ${name})`, {
          cause: error,
        })
      throw error
    }
  }

  async get(name: string, file: string): Promise<void> {
    await copyFile(this.#path(name), file)
  }

  async list(prefix = ''): Promise<{ name: string; size: number }[]> {
    const found: { name: string; size: number }[] = []
    const walk = async (dir: string, relative: string[]) => {
      let entries: import('node:fs').Dirent[]
      try {
        entries = await readdir(dir, { withFileTypes: true })
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
        throw error
      }
      for (const entry of entries) {
        const parts = [...relative, entry.name]
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) await walk(full, parts)
        else if (entry.isFile() && !PARTIAL.test(entry.name)) {
          const name = parts.join('/')
          if (name.startsWith(prefix)) found.push({ name, size: (await stat(full)).size })
        }
      }
    }
    await walk(this.dir, [])
    return found.sort((a, b) => a.name.localeCompare(b.name))
  }

  async delete(name: string): Promise<void> {
    const target = this.#path(name)
    await rm(target, { force: true })
    await this.#removeEmptyParent(target)
  }

  /** Removes the backup's directory once it is empty (rmdir refuses one that is not). */
  async #removeEmptyParent(target: string): Promise<void> {
    const parent = path.dirname(target)
    if (parent !== this.dir) await rmdir(parent).catch(() => {})
  }
}
