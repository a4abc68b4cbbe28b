import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { acquireDataDirLock, LockHeldError, readHolder } from './lockfile.ts'

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'sentia-lock-'))

describe('acquireDataDirLock', () => {
  it('writes the holder, refuses a second opener naming the PID, and removes the file on release', () => {
    const dir = dataDir()
    const lock = acquireDataDirLock(dir)
    expect(readHolder(lock.file)).toMatchObject({ pid: process.pid, hostname: hostname() })
    expect(() => acquireDataDirLock(dir)).toThrow(LockHeldError)
    expect(() => acquireDataDirLock(dir)).toThrow(new RegExp(`in use by process ${process.pid}`))
    lock.release()
    expect(existsSync(lock.file)).toBe(false)
    acquireDataDirLock(dir).release()
  })

  it('refuses while another live process holds it', () => {
    const dir = dataDir()
    // PID 1 always exists; as a holder it stands for "another live process".
    writeFileSync(
      path.join(dir, 'sentia.lock'),
      JSON.stringify({ pid: 1, hostname: hostname(), startedAt: 'then' }),
    )
    expect(() => acquireDataDirLock(dir)).toThrow(/in use by process 1 /)
  })

  it('takes over a stale lock left by a process that has exited', () => {
    const dir = dataDir()
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString()
    writeFileSync(
      path.join(dir, 'sentia.lock'),
      JSON.stringify({ pid: Number(dead), hostname: hostname(), startedAt: 'x' }),
    )
    const lock = acquireDataDirLock(dir)
    expect(readHolder(lock.file)?.pid).toBe(process.pid)
    lock.release()
  })

  it('takes over an unreadable lock file', () => {
    const dir = dataDir()
    writeFileSync(path.join(dir, 'sentia.lock'), 'garbage')
    const lock = acquireDataDirLock(dir)
    expect(readHolder(lock.file)?.pid).toBe(process.pid)
    lock.release()
  })

  it('does not remove a lock that another process has taken since', () => {
    const dir = dataDir()
    const lock = acquireDataDirLock(dir)
    writeFileSync(lock.file, JSON.stringify({ pid: 1, hostname: hostname(), startedAt: 'later' }))
    lock.release()
    expect(existsSync(lock.file)).toBe(true)
  })
})
