import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { diskReading } from './system.ts'

describe('diskReading', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sentia-disk-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads the volume of a directory not made yet from its nearest existing parent', async () => {
    // On PostgreSQL nothing creates DATA_DIR before the first backup; /health must not fail on it.
    const missing = path.join(dir, 'not', 'yet', 'data')
    const reading = await diskReading(missing)
    const parent = await diskReading(dir)
    expect(reading).toMatchObject({ path: missing, totalBytes: parent.totalBytes })
    expect(reading.freeBytes).toBeGreaterThan(0)
  })

  it('still fails on a path that cannot be a directory', async () => {
    const file = path.join(dir, 'a-file')
    writeFileSync(file, 'x')
    await expect(diskReading(path.join(file, 'data'))).rejects.toMatchObject({ code: 'ENOTDIR' })
  })
})
