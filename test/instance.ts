import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import { describe } from 'vitest'
import type { BuildOptions } from '../server/app.ts'
import { seedDemo } from '../server/modules/demo/seed.ts'
import { buildTestApp, type TestApp, type TestContextOptions } from './app.ts'

/** A test app listening on a loopback port, as a deployed instance is reached: over real HTTP. */
export interface RunningInstance extends TestApp {
  url: string
}

/**
 * Builds the app and listens on 127.0.0.1. With `port` it listens there (so PUBLIC_URL can name
 * it in advance), else on a free port. `demoDays` loads that many days of the demo business.
 */
export async function startInstance(
  options: TestContextOptions & BuildOptions & { port?: number; demoDays?: number } = {},
): Promise<RunningInstance> {
  const t = await buildTestApp(options)
  try {
    if (options.demoDays)
      await seedDemo(t.ctx, { days: options.demoDays, scale: 1, seed: 7, now: t.ctx.clock.now() })
    const url = await t.app.listen({ host: '127.0.0.1', port: options.port ?? 0 })
    return { ...t, url }
  } catch (error) {
    await t.close()
    throw error
  }
}

/** A loopback port nothing listens on (taken from the system, then let go). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export interface CommandResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `tsx server/main.ts ARGS` (what the npm scripts run) as a child process with only PATH,
 * HOME and the given environment, so nothing from the test's own environment leaks in.
 */
export function runSentia(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve('node_modules/.bin/tsx'), [path.resolve('server/main.ts'), ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/**
 * For tests of `sentia` processes on their own embedded DATA_DIR, whatever the suite's engine: they
 * run in the embedded suite only, since the PostgreSQL suite would repeat them exactly.
 */
export const describeEmbeddedCli = describe.skipIf(Boolean(process.env.DATABASE_URL))
