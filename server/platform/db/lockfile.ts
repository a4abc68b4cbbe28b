import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'

/**
 * The embedded engine has no cross-process lock of its own, so a process that opens DATA_DIR
 * holds `DATA_DIR/sentia.lock` until it exits. A second opener is refused with the holder's PID;
 * a lock left behind by a process that no longer exists is taken over.
 */

export interface LockHolder {
  pid: number
  hostname: string
  startedAt: string
  command?: string
}

export class LockHeldError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${path.dirname(file)} is in use by process ${holder.pid} on ${holder.hostname} (since ${holder.startedAt}). ` +
        'Stop that process first, or use another DATA_DIR.',
    )
    this.name = 'LockHeldError'
  }
}

export interface DataDirLock {
  file: string
  release(): void
}

export function acquireDataDirLock(dataDir: string, command = 'serve'): DataDirLock {
  mkdirSync(dataDir, { recursive: true })
  const file = path.join(dataDir, 'sentia.lock')
  const me: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    command,
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644)
      writeSync(fd, `${JSON.stringify(me)}\n`)
      closeSync(fd)
      return { file, release: () => releaseLock(file) }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = readHolder(file)
    if (holder && isAlive(holder)) throw new LockHeldError(file, holder)
    // Stale: the holder died without releasing. Remove and try once more (another process may win).
    try {
      unlinkSync(file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  const holder = readHolder(file)
  throw new LockHeldError(file, holder ?? { pid: -1, hostname: 'unknown', startedAt: 'unknown' })
}

export function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>
    if (typeof parsed.pid !== 'number') return undefined
    return {
      pid: parsed.pid,
      hostname: parsed.hostname ?? 'unknown',
      startedAt: parsed.startedAt ?? 'unknown',
      command: parsed.command,
    }
  } catch {
    return undefined
  }
}

function isAlive(holder: LockHolder): boolean {
  // A lock written on another host cannot be checked from here: assume it is held.
  if (holder.hostname !== hostname()) return true
  if (holder.pid === process.pid) return true
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function releaseLock(file: string): void {
  const holder = readHolder(file)
  if (holder && holder.pid !== process.pid) return
  try {
    unlinkSync(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}
