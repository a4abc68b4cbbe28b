import type { Command } from 'commander'
import { type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import type { Series } from './series.ts'

const service = () => import('./service.ts')

const UNITS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** A time: ISO 8601, or a duration back from `now` like 90s, 30m, 12h, 7d. */
export function parseSince(value: string, now: number, option = '--since'): Date {
  const relative = /^(\d+)(s|m|h|d)$/.exec(value)
  if (relative) return new Date(now - Number(relative[1]) * UNITS[relative[2] as keyof typeof UNITS])
  const date = new Date(value)
  if (Number.isNaN(date.getTime()))
    throw new CliError(`${option} must be a time (ISO 8601) or a duration like 30m, 12h, 7d`)
  return date
}

function parseStep(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new CliError('--step must be a whole number of seconds')
  return Number(value)
}

function show(series: Series, options: RemoteOptions): void {
  if (options.json) {
    printJson(series)
    return
  }
  console.log(`${series.name} (${series.unit}), one point per ${series.stepSeconds} s`)
  if (series.points.length === 0) console.log('no data in this range')
  else
    printTable(
      series.points.map((point) => ({ at: point.at, value: point.value })),
      ['at', 'value'],
    )
}

export function registerMetricsCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('metrics:series')
      .description('print a stored metric over time (GET /api/metrics/catalog lists the names)')
      .requiredOption('--name <metric>', 'metric name, e.g. cpu_percent, uptime_percent, revenue_per_hour')
      .option('--since <time>', 'start: ISO time or a duration back like 30m, 12h, 7d', '1h')
      .option('--until <time>', 'end: ISO time or a duration back (default: now)')
      .option('--step <seconds>', 'seconds per point (default: about 300 points)'),
  ).action(
    async (options: RemoteOptions & { name: string; since: string; until?: string; step?: string }) => {
      const now = Date.now()
      const from = parseSince(options.since, now)
      const to = options.until ? parseSince(options.until, now, '--until') : new Date(now)
      const stepSeconds = parseStep(options.step)
      const series = options.url
        ? await remoteFor(options)<Series>(
            'GET',
            `/api/metrics/series?${new URLSearchParams({
              name: options.name,
              from: from.toISOString(),
              to: to.toISOString(),
              ...(stepSeconds ? { step: String(stepSeconds) } : {}),
            })}`,
          )
        : await withContext(async (ctx) =>
            (await service()).readSeries(ctx, { name: options.name, from, to, stepSeconds }),
          )
      show(series, options)
    },
  )
}
