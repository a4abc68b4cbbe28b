/**
 * What the benchmarks share: the command `npm start` runs, free ports, starting and stopping the
 * app as a child process, and the commit measured. Loopback only.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const STOP_TIMEOUT_MS = 15_000

export interface Shutdown {
  exitCode: number | null
  signal: string | null
  ms: number
  killed: boolean
}

/** The node arguments `npm start` ends with (after building), or tsx's entry with `tsx`. */
export function appCommand(tsx: boolean | undefined): string[] {
  if (tsx) return [path.join(ROOT, 'bin/sentia.js'), 'serve']
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  const start: string = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start
  const [node, ...nodeArgs] = (start.split('&&').at(-1) ?? '').trim().split(/\s+/)
  if (node !== 'node') throw new Error(`npm start does not end in a node command: ${start}`)
  return nodeArgs.map((arg) => (arg.startsWith('dist/') ? path.join(ROOT, arg) : arg))
}

/** The commit measured, and how many app files (server/, bin/, package files) differ from it. */
export function gitState(): { commit: string; uncommittedChanges: number } {
  const git = (...gitArgs: string[]) =>
    execFileSync('git', gitArgs, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  try {
    const commit = git('rev-parse', '--short', 'HEAD').trim()
    const changes = git('status', '--porcelain', '--', 'server', 'bin', 'package.json', 'package-lock.json')
    return { commit, uncommittedChanges: changes.split('\n').filter((line) => line.trim()).length }
  } catch {
    return { commit: 'unknown', uncommittedChanges: 0 }
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
  return port
}

/** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS. */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<[number | null, NodeJS.Signals | null]>,
  alreadyExited: boolean,
): Promise<Shutdown> {
  const started = performance.now()
  let killed = false
  if (!alreadyExited) {
    child.kill('SIGTERM')
    const stopped = await within(
      STOP_TIMEOUT_MS,
      exited.then(() => true),
      false,
    )
    if (!stopped) {
      killed = true
      child.kill('SIGKILL')
      await exited
    }
  }
  const [exitCode, signal] = await exited
  return { exitCode, signal, ms: Math.round(performance.now() - started), killed }
}

/** Polls `url` until it answers 200; throws after `timeoutMs`, on abort, or when the app exited. */
export async function waitForReady(
  url: string,
  exited: () => boolean,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    if (signal.aborted) throw signal.reason
    if (exited()) throw new Error('the app exited before it was ready')
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      if (response.status === 200) return
      last = `HTTP ${response.status}`
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    await sleep(250)
  }
  throw new Error(`${url} not 200 after ${timeoutMs / 1000} s (last: ${last})`)
}

export async function within<T>(ms: number, promise: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<T>((resolve) => {
        timer = setTimeout(() => resolve(fallback), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** The q-quantile (0..1) of `values` by nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

/**
 * A cheap HTTP client for load: node:http over kept-alive sockets (fetch spends milliseconds of
 * CPU per request on its streams, which on a small machine is taken from the server measured).
 */
export function loadClient(base: string, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets })
  const url = new URL(base)
  return {
    request(
      method: string,
      path: string,
      headers: Record<string, string>,
      body?: string,
    ): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const request = http.request(
          { agent, hostname: url.hostname, port: url.port, method, path, headers },
          (response) => {
            let text = ''
            response.setEncoding('utf8')
            response.on('data', (chunk: string) => {
              text += chunk
            })
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
            response.on('error', reject)
          },
        )
        request.on('error', reject)
        request.end(body)
      })
    },
    close: () => agent.destroy(),
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
export function processCpuSeconds(pid: number | undefined): number | null {
  try {
    // fields after the command name: state is the 1st, utime the 12th, stime the 13th (in clock ticks, 100/s)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}

/**
 * Pins a running process, every thread of it, to `cpus` (a list such as "0" or "0,2") with
 * util-linux's taskset; threads it starts later inherit the setting. False where that cannot be
 * done (no taskset, not Linux, no such CPU): the caller then measures with processes floating.
 */
export function pinToCpus(pid: number, cpus: string): boolean {
  try {
    execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** The app's processes a bench started, so its watchdog can kill what is left. */
export const benchChildren = new Set<ChildProcess>()

/** Starts the app (`node <nodeArgs>`) on a free loopback port with `env`, and waits until it is ready. */
export async function spawnApp(
  nodeArgs: string[],
  env: Record<string, string>,
  readyTimeoutMs: number,
): Promise<{ base: string; pid: number | undefined; stop: () => Promise<Shutdown> }> {
  const port = await freePort()
  const child = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  benchChildren.add(child)
  let exited = false
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  void exit.then(() => {
    exited = true
    benchChildren.delete(child)
  })
  const base = `http://127.0.0.1:${port}`
  await waitForReady(`${base}/health/ready`, () => exited, new AbortController().signal, readyTimeoutMs)
  return { base, pid: child.pid, stop: () => stopChild(child, exit, exited) }
}

/** Runs a bench's `main` under a watchdog: past `budgetMs` every app it started is killed and it exits 2. */
export function runBench(main: () => Promise<number>, budgetMs: number): void {
  setTimeout(() => {
    console.error(`bench: still running after ${budgetMs / 60_000} min; killing everything`)
    for (const child of benchChildren) child.kill('SIGKILL')
    process.exit(2)
  }, budgetMs).unref()
  main().then(
    (code) => {
      process.exitCode = code
    },
    (error) => {
      console.error(error)
      process.exitCode = 1
    },
  )
}

/**
 * Creates the database DATABASE_URL names when it does not exist yet (connecting to the server's
 * `postgres` database to do so): the benches create their own databases from it, and the app
 * benches run on it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url)
  const name = decodeURIComponent(target.pathname.slice(1)) || 'postgres'
  target.pathname = '/postgres'
  const client = new pg.Client({ connectionString: target.toString(), application_name: 'sentia-bench' })
  await client.connect()
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name])
    if (rowCount) return false
    await client.query(`create database ${client.escapeIdentifier(name)}`)
    return true
  } finally {
    await client.end()
  }
}
