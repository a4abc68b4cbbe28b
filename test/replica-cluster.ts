import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { freePort } from './instance.ts'

/**
 * Real `sentia serve` processes and a private redis-server for the multi-replica test: each child
 * writes its output to a file (read back when a test fails), every wait is bounded, and stopping
 * is SIGTERM, then SIGKILL for a child that does not exit in time.
 */

const bin = path.resolve('bin/sentia.js')

/** Thrown by a probe to end a wait at once (the process being waited for is gone). */
export class GiveUp extends Error {}

/**
 * Polls `probe` every `intervalMs` until it returns something other than undefined/false; an
 * error thrown by the probe counts as "not yet", except GiveUp, which ends the wait.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value
    } catch (error) {
      if (error instanceof GiveUp) throw error
      lastError = error
    }
    if (Date.now() >= deadline) {
      const cause = lastError ? ` (last error: ${(lastError as Error).message})` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

interface Child {
  process: ChildProcess
  exited: Promise<number | null>
}

function spawnLogged(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, logFile: string) {
  const fd = openSync(logFile, 'a')
  try {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', fd, fd] })
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code))
      child.once('error', () => resolve(null))
    })
    return { process: child, exited }
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(fd)
  }
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`. */
async function stopChild(child: Child, graceMs: number): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return
  child.process.kill('SIGTERM')
  const timedOut = Symbol('timeout')
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([
    child.exited,
    new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), graceMs)
    }),
  ])
  clearTimeout(timer)
  if (outcome !== timedOut) return
  child.process.kill('SIGKILL')
  await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 5000))])
}

function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(no output)'
  }
}

export interface RedisServer {
  url: string
  stop(): Promise<void>
}

/** A redis-server of our own on a free loopback port, nothing persisted. */
export async function startRedisServer(dir: string): Promise<RedisServer> {
  const port = await freePort()
  const logFile = path.join(dir, 'redis.log')
  const child = spawnLogged(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { PATH: process.env.PATH },
    dir,
    logFile,
  )
  const url = `redis://127.0.0.1:${port}`
  try {
    await waitFor(
      `redis-server on port ${port}`,
      async () => {
        if (child.process.exitCode !== null) throw new GiveUp(`redis-server exited:\n${tailOf(logFile, 20)}`)
        const client = new Redis(url, {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        })
        client.on('error', () => {})
        try {
          await client.connect()
          return (await client.ping()) === 'PONG'
        } finally {
          client.disconnect()
        }
      },
      10_000,
      100,
    )
  } catch (error) {
    await stopChild(child, 2000)
    throw error
  }
  return { url, stop: () => stopChild(child, 5000) }
}

export interface Replica {
  name: string
  url: string
  /** The last lines the process wrote (its log at LOG_LEVEL). */
  tail(lines?: number): string
  stop(): Promise<void>
}

/**
 * Starts `sentia serve` (role all) with only PATH, HOME and `env` in its environment, in its own
 * temporary DATA_DIR (also its working directory, so no `.env` is read) on a free loopback port,
 * and waits until `/health/ready` answers 200.
 *
 * Another process may take the port between `freePort()` and the replica's listen (the suites run
 * files in parallel). So the replica's GIT_COMMIT gets a tag of its own, and the wait only counts
 * an answer whose `/health` reports that commit; a replica that then fails with EADDRINUSE is
 * started again on another port, up to three times.
 */
export async function startReplica(
  name: string,
  env: Record<string, string>,
  readyTimeoutMs: number,
): Promise<Replica> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startReplicaOnce(name, env, readyTimeoutMs)
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 3) throw error
    }
  }
}

class PortTaken extends Error {}

async function startReplicaOnce(
  name: string,
  env: Record<string, string>,
  readyTimeoutMs: number,
): Promise<Replica> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `sentia-replica-${name}-`))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const logFile = path.join(dataDir, 'output.log')
  const commit = `${env.GIT_COMMIT ?? 'replica'}-${name}-${randomBytes(4).toString('hex')}`
  const child = spawnLogged(
    process.execPath,
    [bin, 'serve'],
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      GIT_COMMIT: commit,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    dataDir,
    logFile,
  )
  const replica: Replica = {
    name,
    url,
    tail: (lines = 40) => tailOf(logFile, lines),
    async stop() {
      await stopChild(child, 12_000)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
  try {
    await waitFor(
      `replica ${name} to be ready at ${url}`,
      async () => {
        if (child.process.exitCode !== null)
          throw new GiveUp(`replica ${name} exited with ${child.process.exitCode}`)
        const ready = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) })
        if (ready.status !== 200) return false
        const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })
        return ((await health.json()) as { commit?: string }).commit === commit
      },
      readyTimeoutMs,
      250,
    )
  } catch (error) {
    const output = replica.tail()
    await replica.stop()
    const message = `${(error as Error).message}\n--- ${name} output ---\n${output}`
    throw output.includes('EADDRINUSE') ? new PortTaken(message) : new Error(message)
  }
  return replica
}
