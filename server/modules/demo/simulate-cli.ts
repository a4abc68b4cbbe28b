import type { Command } from 'commander'
import { withContext } from '../../cli/context.ts'
import { CliError, printJson } from '../../cli/output.ts'
import { LockHeldError } from '../../platform/db/lockfile.ts'
import type { SimulationReport } from './simulate.ts'
import type { ApiCall } from './simulate-http.ts'

interface SimulateOptions {
  rate: string
  duration?: string
  seed?: string
  url?: string
  apiKey?: string
  json?: boolean
}

const MAX_RATE = 1000
const MAX_DURATION_SECONDS = 31 * 86_400

/** `fetch` as the simulator's ApiCall: a refusal is an answer; an unreachable server ends the run. */
function fetchCall(url: string, apiKey: string): ApiCall {
  return async (method, path, body) => {
    let response: Response
    try {
      response = await fetch(new URL(path, url), {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      })
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message
      throw new CliError(`cannot reach ${url}: ${cause}`)
    }
    return { status: response.status, body: await response.json().catch(() => null) }
  }
}

function summary(report: SimulationReport, seed: number): string {
  const refused = Object.entries(report.refused)
  const b = report.batches
  return (
    `Simulated ${report.seconds.toFixed(0)} s (seed ${seed}): ${report.orders} orders` +
    (refused.length > 0 ? ` (refused: ${refused.map(([code, n]) => `${code} ×${n}`).join(', ')})` : '') +
    `, ${report.visits} storefront visits, ${b.planned} batches planned, ${b.completed} completed, ` +
    `${b.cancelled} cancelled, ${b.downtimes} stops.`
  )
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'produce live business activity (orders, storefront sessions, production) until stopped with Ctrl-C',
    )
    .option('--rate <n>', 'orders per second, on average', '5')
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--seed <n>', 'random seed: the same seed makes the same choices (default: random)')
    .option('--url <url>', 'act through the HTTP API of a running instance instead of the local database')
    .option('--api-key <key>', 'manager API key for --url (default: $SENTIA_API_KEY)')
    .option('--json', 'print the report as JSON')
    .action(async (options: SimulateOptions) => {
      const rate = Number(options.rate)
      if (!(rate > 0 && rate <= MAX_RATE))
        throw new CliError(`--rate must be a number above 0, at most ${MAX_RATE}`)
      const duration = options.duration === undefined ? undefined : Number(options.duration)
      if (
        duration !== undefined &&
        !(Number.isInteger(duration) && duration >= 1 && duration <= MAX_DURATION_SECONDS)
      )
        throw new CliError(`--duration must be a whole number of seconds from 1 to ${MAX_DURATION_SECONDS}`)
      const seed = options.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(options.seed)
      if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31))
        throw new CliError('--seed must be a whole number from 0 to 2147483647')

      const { simulate, sleep } = await import('./simulate.ts')
      const controller = new AbortController()
      const stop = () => controller.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      const tty = !options.json && process.stderr.isTTY
      const deps = {
        sleep,
        signal: controller.signal,
        progress: (r: SimulationReport) => {
          if (tty)
            process.stderr.write(
              `\r${`${r.orders} orders, ${r.visits} visits, ${r.batches.completed} batches`.padEnd(60)}`,
            )
        },
      }
      const settings = { rate, seed, durationMs: duration === undefined ? undefined : duration * 1000 }
      let report: SimulationReport
      try {
        if (options.url) {
          const apiKey = options.apiKey ?? process.env.SENTIA_API_KEY
          if (!apiKey)
            throw new CliError('--url needs a manager API key: pass --api-key or set SENTIA_API_KEY')
          const { httpTarget } = await import('./simulate-http.ts')
          const { systemClock } = await import('../../platform/clock.ts')
          report = await simulate(httpTarget(fetchCall(options.url, apiKey), systemClock), settings, {
            ...deps,
            clock: systemClock,
          })
        } else {
          const { localTarget } = await import('./simulate-local.ts')
          report = await withContext((ctx) =>
            simulate(localTarget(ctx), settings, { ...deps, clock: ctx.clock }),
          )
        }
      } catch (error) {
        if (error instanceof LockHeldError)
          throw new CliError(
            `${error.message} To simulate while the server runs on the embedded engine, go through it: sentia simulate --url URL --api-key KEY`,
          )
        throw error
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        if (tty) process.stderr.write('\n')
      }
      if (options.json) return printJson({ seed, ...report })
      console.log(summary(report, seed))
    })
}
