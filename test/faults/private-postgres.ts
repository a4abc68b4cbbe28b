import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../instance.ts'

/**
 * A PostgreSQL 15 cluster of a test's own, on a free loopback port, that the test may stop and
 * start: fault tests take the database away without touching the server other tests share.
 * PostgreSQL refuses to run as root, so when the tests run as root every command runs as the
 * `postgres` user (runuser) in directories it owns.
 */

const BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin'
const OS_USER = 'postgres'
const run = promisify(execFile)

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string
  port: number
  /** `pg_ctl start -w`: the same port and data directory again. */
  start(): Promise<void>
  /** `pg_ctl stop -m fast -w`: sessions are ended, a checkpoint written. */
  stop(): Promise<void>
  /** Stops at once (`-m immediate`) if running and deletes the cluster; safe to call twice. */
  destroy(): Promise<void>
}

/** Why a private cluster cannot be made here (no binaries, no `postgres` user), or undefined. */
export function privatePostgresUnavailable(): string | undefined {
  if (!existsSync(path.join(BIN, 'initdb'))) return `no PostgreSQL binaries in ${BIN} (set POSTGRES_BIN)`
  if (userInfo().uid === 0 && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser'))
    return 'running as root without runuser to start PostgreSQL as the postgres user'
  return undefined
}

function asOwner(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const binary = path.join(BIN, command)
  if (userInfo().uid !== 0) return run(binary, args, { timeout: 60_000 })
  return run('runuser', ['-u', OS_USER, '--', binary, ...args], { timeout: 60_000 })
}

/** initdb (trust, user postgres) into a temporary directory, then start it. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = mkdtempSync(path.join(tmpdir(), 'sentia-pg-'))
  const dataDir = path.join(root, 'data')
  if (userInfo().uid === 0) {
    const { stdout } = await run('id', ['-u', OS_USER])
    const { stdout: gid } = await run('id', ['-g', OS_USER])
    chownSync(root, Number(stdout.trim()), Number(gid.trim()))
  }
  const port = await freePort()
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`
  const pgCtl = (...args: string[]) => asOwner('pg_ctl', ['-D', dataDir, ...args])
  let running = false
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await pgCtl('-o', options, '-l', path.join(root, 'log'), '-w', '-t', '30', 'start')
      running = true
    },
    async stop() {
      await pgCtl('-m', 'fast', '-w', '-t', '30', 'stop')
      running = false
    },
    async destroy() {
      if (running || existsSync(path.join(dataDir, 'postmaster.pid')))
        await pgCtl('-m', 'immediate', '-w', '-t', '30', 'stop').catch(() => {})
      running = false
      rmSync(root, { recursive: true, force: true })
    },
  }
  try {
    await asOwner('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync'])
    await cluster.start()
    return cluster
  } catch (error) {
    await cluster.destroy()
    throw error
  }
}
