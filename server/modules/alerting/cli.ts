import type { Command } from 'commander'
import { cliActor, type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import type { AlertFilter, AlertView } from './service.ts'
import type { SilenceView } from './silences.ts'

const service = () => import('./service.ts')
const silences = () => import('./silences.ts')

const STATES = ['active', 'pending', 'firing', 'resolved']

function showAlerts(alerts: AlertView[], options: RemoteOptions): void {
  if (options.json) {
    printJson({ items: alerts })
    return
  }
  printTable(
    alerts.map((a) => ({
      ...a,
      since: a.firedAt ?? a.pendingSince,
      acknowledged: a.acknowledgedAt ? `by ${a.acknowledgedBy}` : '',
      silenced: a.silencedBy ? 'yes' : '',
    })),
    ['id', 'state', 'severity', 'ruleName', 'summary', 'since', 'acknowledged', 'silenced'],
  )
}

export function registerAlertCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('alerts:list')
      .description('list alerts, newest first (default: pending and firing)')
      .option('--state <state>', `one of ${STATES.join(', ')}`, 'active')
      .option('--limit <n>', 'how many', '50'),
  ).action(async (options: RemoteOptions & { state: string; limit: string }) => {
    if (!STATES.includes(options.state)) throw new CliError(`--state must be one of ${STATES.join(', ')}`)
    const limit = Number(options.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new CliError('--limit must be 1 to 200')
    const state = options.state as AlertFilter
    const page = options.url
      ? await remoteFor(options)<{ items: AlertView[] }>('GET', `/api/alerts?state=${state}&limit=${limit}`)
      : await withContext(async (ctx) => (await service()).listAlerts(ctx, { state, limit }))
    showAlerts(page.items, options)
  })

  withRemoteOptions(
    program
      .command('alerts:ack')
      .description('acknowledge a firing alert: no further escalation steps')
      .argument('<id>')
      .option('--note <text>', 'what you are doing about it'),
  ).action(async (id: string, options: RemoteOptions & { note?: string }) => {
    const alert = options.url
      ? await remoteFor(options)<AlertView>('POST', `/api/alerts/${id}/ack`, { note: options.note })
      : await withContext(async (ctx) => (await service()).acknowledgeAlert(ctx, id, options.note, cliActor))
    showAlerts([alert], options)
  })

  withRemoteOptions(
    program
      .command('alerts:silence')
      .description('hold an alert’s notifications (its state stays visible; "resolved" is still sent)')
      .argument('<id>')
      .requiredOption('--reason <text>', 'why')
      .option('--minutes <n>', 'for this many minutes')
      .option('--until-resolved', 'until the alert resolves'),
  ).action(
    async (
      id: string,
      options: RemoteOptions & { reason: string; minutes?: string; untilResolved?: boolean },
    ) => {
      const minutes = options.minutes === undefined ? undefined : Number(options.minutes)
      if (minutes !== undefined && !(Number.isInteger(minutes) && minutes > 0))
        throw new CliError('--minutes must be a whole number above 0')
      if ((minutes === undefined) === !options.untilResolved)
        throw new CliError('Give either --minutes or --until-resolved')
      const body = { reason: options.reason, minutes, untilResolved: options.untilResolved }
      const silence = options.url
        ? await remoteFor(options)<SilenceView>('POST', `/api/alerts/${id}/silence`, body)
        : await withContext(async (ctx) =>
            (await silences()).createSilence(ctx, { alertId: id, ...body }, cliActor),
          )
      if (options.json) return printJson(silence)
      printTable(
        [{ ...silence, endsAt: silence.endsAt ?? 'when resolved' }],
        ['id', 'alertId', 'reason', 'endsAt'],
      )
    },
  )
}
