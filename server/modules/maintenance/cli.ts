import type { Command } from 'commander'
import { DateTime, Info } from 'luxon'
import { cliActor, type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import type { WindowInput, WindowView } from './service.ts'

const service = () => import('./service.ts')

type Options = RemoteOptions

interface CreateOptions extends Options {
  title: string
  description?: string
  timezone: string
  start?: string
  end?: string
  cron?: string
  duration?: string
  until?: string
  readOnly?: boolean
}

/** An ISO 8601 time; without an offset it is read in the window's time zone. */
function timeIn(value: string, timezone: string, flag: string): Date {
  const parsed = DateTime.fromISO(value, { zone: timezone })
  if (!parsed.isValid)
    throw new CliError(`${flag} must be an ISO 8601 time such as 2026-05-10T02:00 (got "${value}")`)
  return parsed.toJSDate()
}

function inputOf(options: CreateOptions): WindowInput {
  if (!Info.isValidIANAZone(options.timezone))
    throw new CliError(
      `--timezone must be an IANA time zone such as America/New_York (got "${options.timezone}")`,
    )
  const oneOff = options.start !== undefined || options.end !== undefined
  const recurring = options.cron !== undefined || options.duration !== undefined
  if (oneOff === recurring)
    throw new CliError('give either --start and --end (one-off) or --cron and --duration (recurring)')
  const input: WindowInput = {
    title: options.title,
    description: options.description,
    timezone: options.timezone,
    readOnly: Boolean(options.readOnly),
  }
  if (oneOff) {
    if (!options.start || !options.end) throw new CliError('a one-off window needs both --start and --end')
    if (options.until) throw new CliError('--until belongs to recurring windows')
    return {
      ...input,
      start: timeIn(options.start, options.timezone, '--start'),
      end: timeIn(options.end, options.timezone, '--end'),
    }
  }
  if (!options.cron || !options.duration)
    throw new CliError('a recurring window needs both --cron and --duration')
  const durationMinutes = Number(options.duration)
  if (!Number.isInteger(durationMinutes) || durationMinutes < 1)
    throw new CliError('--duration must be a whole number of minutes')
  return {
    ...input,
    cron: options.cron,
    durationMinutes,
    until: options.until ? timeIn(options.until, options.timezone, '--until') : undefined,
  }
}

function show(windows: WindowView[], options: Options): void {
  if (options.json) {
    printJson({ items: windows })
    return
  }
  printTable(
    windows.map((w) => ({
      ...w,
      schedule:
        w.kind === 'once'
          ? `${w.start} → ${w.end}`
          : `${w.cron} for ${w.durationMinutes} min${w.until ? ` until ${w.until}` : ''}`,
      next: w.nextOccurrence ? `${w.nextOccurrence.start} → ${w.nextOccurrence.end}` : '',
      readOnly: w.readOnly ? 'yes' : 'no',
      state: w.cancelledAt ? 'cancelled' : w.nextOccurrence ? 'scheduled' : 'over',
    })),
    ['id', 'title', 'timezone', 'schedule', 'readOnly', 'state', 'next'],
  )
}

export function registerMaintenanceCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('maintenance:list')
      .description('maintenance windows with their next occurrence (UTC)')
      .option('--all', 'include cancelled windows and ones that are over'),
  ).action(async (options: Options & { all?: boolean }) => {
    const items = options.url
      ? (
          await remoteFor(options)<{ items: WindowView[] }>(
            'GET',
            `/api/maintenance/windows?includePast=${Boolean(options.all)}`,
          )
        ).items
      : await withContext(async (ctx) =>
          (await service()).listMaintenanceWindows(ctx, { includePast: options.all }),
        )
    show(items, options)
  })

  withRemoteOptions(
    program
      .command('maintenance:create')
      .description(
        'schedule a maintenance window: one-off (--start, --end) or recurring (--cron, --duration)',
      )
      .requiredOption('--title <text>', 'what the banner says')
      .requiredOption('--timezone <zone>', 'IANA time zone, e.g. America/New_York')
      .option('--start <time>', 'one-off: ISO 8601; without an offset, local time in --timezone')
      .option('--end <time>', 'one-off: ISO 8601, as --start')
      .option('--cron <pattern>', 'recurring: five-field cron pattern in --timezone, e.g. "0 2 * * SUN#1"')
      .option('--duration <minutes>', 'recurring: minutes each occurrence lasts')
      .option('--until <time>', 'recurring: no occurrence starts at or after this')
      .option('--description <text>', 'more detail')
      .option('--read-only', 'refuse changes by everyone but admins while it is in progress'),
  ).action(async (options: CreateOptions) => {
    const input = inputOf(options)
    const window = options.url
      ? await remoteFor(options)<WindowView>('POST', '/api/maintenance/windows', {
          ...input,
          start: input.start?.toISOString(),
          end: input.end?.toISOString(),
          until: input.until?.toISOString(),
        })
      : await withContext(async (ctx) => (await service()).createMaintenanceWindow(ctx, input, cliActor))
    show([window], options)
  })

  withRemoteOptions(
    program
      .command('maintenance:cancel')
      .description('cancel a window: an occurrence in progress ends now, later ones do not happen')
      .argument('<id>'),
  ).action(async (id: string, options: Options) => {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
      throw new CliError(`"${id}" is not a window id (maintenance:list shows them)`)
    const window = options.url
      ? await remoteFor(options)<WindowView>(
          'POST',
          `/api/maintenance/windows/${encodeURIComponent(id)}/cancel`,
        )
      : await withContext(async (ctx) => (await service()).cancelMaintenanceWindow(ctx, id, cliActor))
    show([window], options)
  })
}
