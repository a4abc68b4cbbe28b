import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'

/**
 * The app as a real `sentia serve` process for fault tests: killed with SIGKILL, restarted on
 * the same database, watched while its database goes away. Only PATH, HOME and the given
 * environment reach it.
 */

const bin = path.resolve('bin/sentia.js')
/** The tail of its output kept for failure messages. */
const OUTPUT_KEPT = 64 * 1024

export interface AppProcess {
  child: ChildProcess
  url: string
  /** Resolves with the exit code (or the signal's name) when the process has exited. */
  exited: Promise<number | string | null>
  output(): string
  /** SIGKILL (if still running), then waits up to 10 s for the exit. */
  kill(): Promise<void>
}

/** Starts `sentia serve` on 127.0.0.1:`port` and waits until /health/ready answers 200. */
export async function startAppProcess(
  env: Record<string, string>,
  port: number,
  readyWithinMs = 90_000,
): Promise<AppProcess> {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  let done = false
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true
      resolve(code ?? signal)
    }),
  )
  const app: AppProcess = {
    child,
    url: `http://127.0.0.1:${port}`,
    exited,
    output: () => output,
    async kill() {
      if (!done) child.kill('SIGKILL')
      await Promise.race([exited, sleep(10_000)])
    },
  }
  const deadline = Date.now() + readyWithinMs
  while (Date.now() < deadline) {
    if (done) throw new Error(`sentia serve exited with ${await exited} before it was ready:\n${output}`)
    const status = await fetch(`${app.url}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
      (res) => res.status,
      () => 0,
    )
    if (status === 200) return app
    await sleep(200)
  }
  await app.kill()
  throw new Error(`sentia serve was not ready within ${readyWithinMs} ms:\n${output}`)
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
