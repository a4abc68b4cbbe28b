import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../app.ts'

/**
 * Fault: the backup volume runs out of space. BACKUP_DIR is a tmpfs of our own (we run as root),
 * first smaller than any backup, then bigger but filled by a ballast file with an earlier good
 * backup on it. A backup taken through `POST /api/backups` must fail in plain words (no space
 * left) in the API's error shape, be recorded as failed (never complete), leave nothing of itself
 * on the volume or in its temporary work directory, and leave the earlier backup good. Once
 * space is freed the next backup succeeds and verifies.
 */

const SMALL = '64k'
const BIG = '64m'

function mount(dir: string, size: string, remount = false): void {
  const options = remount ? `remount,size=${size}` : `size=${size}`
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' })
}

/** Every entry under `dir`, files and directories, as sorted relative paths (directories end in /). */
function entriesUnder(dir: string, relative = ''): string[] {
  const found: string[] = []
  for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
    const name = path.join(relative, entry.name)
    if (entry.isDirectory()) found.push(`${name}/`, ...entriesUnder(dir, name))
    else found.push(name)
  }
  return found.sort()
}

describe('a backup volume that runs out of space', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sentia-fault-disk-'))
  const volume = path.join(root, 'backups')
  /** TMPDIR while a backup runs: where its work directory (the dump before the copy) goes. */
  const work = path.join(root, 'work')
  let mounted = false
  let mountProblem = ''
  let t: TestApp
  let admin: { authorization: string }

  beforeAll(async () => {
    mkdirSync(volume)
    mkdirSync(work)
    try {
      mount(volume, SMALL)
      mounted = true
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim()
      // Without the right to mount (not root, an unprivileged container) the tests are skipped;
      // any other failure to mount is a failure.
      const denied = process.getuid?.() !== 0 || /superuser|permission denied|not permitted/i.test(stderr)
      if (!denied) throw error
      mountProblem = stderr || (error as Error).message
    }
    t = await buildTestApp({ start: false, env: { BACKUP_DIR: volume } })
    admin = await as(t.ctx, 'admin')
  })

  afterAll(async () => {
    await t?.close()
    if (mounted) {
      try {
        execFileSync('umount', [volume], { stdio: 'pipe' })
      } catch {
        // Something still has a file open: detach it now, the kernel frees it when closed.
        execFileSync('umount', ['-l', volume], { stdio: 'pipe' })
      }
    }
    rmSync(root, { recursive: true, force: true })
  })

  /** `POST /api/backups` with the backup's work directory under `work`, where it can be watched. */
  const backUp = async () => {
    const previous = process.env.TMPDIR
    process.env.TMPDIR = work
    try {
      const response = await t.app.inject({ method: 'POST', url: '/api/backups', headers: admin })
      return { status: response.statusCode, body: response.json(), text: response.body }
    } finally {
      if (previous === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = previous
    }
  }

  const list = async () =>
    (await t.app.inject({ url: '/api/backups', headers: admin })).json().items as {
      id: string
      status: string
      error: string | null
      stores: string[]
      sizeBytes: number | null
    }[]

  const verify = async (id: string) =>
    (await t.app.inject({ method: 'POST', url: `/api/backups/${id}/verify`, headers: admin })).json()

  /** A failed attempt: plain words in the error shape, recorded failed, nothing of it left anywhere. */
  const expectCleanFailure = async (volumeBefore: string[]) => {
    const before = new Set((await list()).map((b) => b.id))
    const answer = await backUp()
    expect(answer.status).toBe(507)
    expect(Object.keys(answer.body)).toEqual(['error'])
    expect(answer.body.error).toMatchObject({ code: 'BACKUP_VOLUME_FULL', requestId: expect.any(String) })
    expect(answer.body.error.message).toMatch(/no space left on the backup volume/)
    // Plain words: neither the errno nor the temporary files' paths.
    expect(answer.body.error.message).not.toMatch(/ENOSPC|\.partial-|sentia-backup-/)
    expect(answer.text).not.toMatch(/\n\s+at /) // no stack trace
    const [attempt] = (await list()).filter((b) => !before.has(b.id))
    expect(answer.body.error.message).toContain(attempt!.id)
    expect(attempt).toMatchObject({ status: 'failed', stores: [], sizeBytes: null })
    expect(attempt!.error).toMatch(/no space left/i)
    // Nothing of the attempt on the volume (no archive, partial file or empty directory), and its
    // work directory is gone.
    expect(entriesUnder(volume)).toEqual(volumeBefore)
    expect(readdirSync(work)).toEqual([])
    return attempt!
  }

  const expectGoodBackup = async () => {
    const answer = await backUp()
    expect(answer.status, answer.text).toBe(201)
    expect(answer.body.status).toBe('complete')
    expect((await verify(answer.body.id)).state).toBe('good')
    expect(readdirSync(work)).toEqual([])
    return answer.body as { id: string; sizeBytes: number }
  }

  it('fails cleanly on a volume smaller than a backup, and succeeds once the volume is bigger', async (test) => {
    if (!mounted) test.skip(`cannot mount a tmpfs here (needs root): ${mountProblem}`)
    const failed = await expectCleanFailure([])
    expect((await list()).filter((b) => b.status === 'complete')).toEqual([])

    mount(volume, BIG, true)
    const good = await expectGoodBackup()
    expect(entriesUnder(volume).filter((e) => e.startsWith(good.id))).toHaveLength(3) // dir, archive, manifest
    expect((await list()).find((b) => b.id === failed.id)!.status).toBe('failed')
  })

  it('fails cleanly when the volume fills up mid-copy, keeps the earlier backup good, and succeeds once space is freed', async (test) => {
    if (!mounted) test.skip(`cannot mount a tmpfs here (needs root): ${mountProblem}`)
    const earlier = (await list()).find((b) => b.status === 'complete')!
    expect(earlier).toBeDefined()
    // Leave room for about half of a backup: the copy starts, then the volume is full.
    const { bavail, bsize } = statfsSync(volume)
    const ballast = path.join(volume, 'ballast')
    writeFileSync(ballast, Buffer.alloc(Math.max(0, bavail * bsize - Math.floor(earlier.sizeBytes! / 2))))
    const volumeBefore = entriesUnder(volume)

    await expectCleanFailure(volumeBefore)
    expect((await list()).filter((b) => b.status === 'complete').map((b) => b.id)).toEqual([earlier.id])
    expect((await verify(earlier.id)).state).toBe('good')

    rmSync(ballast)
    const next = await expectGoodBackup()
    expect((await list()).filter((b) => b.status === 'complete').map((b) => b.id)).toEqual([
      next.id,
      earlier.id,
    ])
  })
})
