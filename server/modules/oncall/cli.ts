import type { Command } from 'commander'
import { cliActor, type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import type { Contact } from './contacts.ts'
import type { Override } from './overrides.ts'
import type { Schedule } from './schedules.ts'

/** `oncall:now`, `oncall:override` and `contacts:list`: on the local database or, with --url, the API. */

interface NowView {
  at: string
  schedule: { id: string; name: string; timezone: string }
  primary: Contact | null
  secondary: Contact | null
  primaryUntil: string | null
  secondaryUntil: string | null
}

function parseInstant(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined
  const date = new Date(value)
  if (Number.isNaN(date.getTime()))
    throw new CliError(`${option} must be a time in ISO 8601, e.g. 2026-03-30T09:00:00Z`)
  return date
}

const reach = (c: Contact | null) => (c ? [c.email, c.slack, c.phone].filter(Boolean).join(' ') : '')

export function registerOncallCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('oncall:now')
      .description('who is on call now (or at --at) in the default or the named schedule')
      .option('--at <time>', 'ISO 8601 instant (default: now)')
      .option('--schedule <name>', 'schedule name (default: the default schedule)'),
  ).action(async (options: RemoteOptions & { at?: string; schedule?: string }) => {
    const at = parseInstant(options.at, '--at')
    let view: NowView
    if (options.url) {
      const query = new URLSearchParams()
      if (at) query.set('at', at.toISOString())
      if (options.schedule) query.set('schedule', options.schedule)
      view = await remoteFor(options)<NowView>('GET', `/api/oncall/now?${query}`)
    } else {
      view = await withContext(async (ctx) => {
        const { onCallAt } = await import('./service.ts')
        const instant = at ?? ctx.clock.now()
        const now = await onCallAt(ctx, { at: instant, schedule: options.schedule })
        if (!now) {
          throw new CliError(
            options.schedule
              ? `No on-call schedule named ${options.schedule}`
              : 'No on-call schedule is set up',
          )
        }
        return {
          ...now,
          at: instant.toISOString(),
          primaryUntil: now.primaryUntil?.toISOString() ?? null,
          secondaryUntil: now.secondaryUntil?.toISOString() ?? null,
        }
      })
    }
    if (options.json) return printJson(view)
    process.stdout.write(`${view.schedule.name} (${view.schedule.timezone}) at ${view.at}\n`)
    printTable(
      [
        { tier: 'primary', contact: view.primary, until: view.primaryUntil },
        { tier: 'secondary', contact: view.secondary, until: view.secondaryUntil },
      ].map((row) => ({
        tier: row.tier,
        name: row.contact?.name ?? '(nobody)',
        until: row.until ?? '',
        reach: reach(row.contact),
        id: row.contact?.id ?? '',
      })),
      ['tier', 'name', 'until', 'reach', 'id'],
    )
  })

  withRemoteOptions(
    program
      .command('oncall:override')
      .description('put someone on call in place of the rotation from one time to another')
      .requiredOption('--schedule <name>', 'schedule name')
      .requiredOption('--tier <tier>', 'primary or secondary')
      .requiredOption('--contact <id>', 'contact id (see contacts:list)')
      .requiredOption('--from <time>', 'ISO 8601 start')
      .requiredOption('--to <time>', 'ISO 8601 end')
      .option('--reason <text>', 'why (kept with the override and in the audit log)'),
  ).action(
    async (
      options: RemoteOptions & {
        schedule: string
        tier: string
        contact: string
        from: string
        to: string
        reason?: string
      },
    ) => {
      if (options.tier !== 'primary' && options.tier !== 'secondary')
        throw new CliError('--tier must be primary or secondary')
      const tier = options.tier
      const start = parseInstant(options.from, '--from')!
      const end = parseInstant(options.to, '--to')!
      let override: Override
      if (options.url) {
        const request = remoteFor(options)
        const { items } = await request<{ items: Schedule[] }>('GET', '/api/oncall/schedules')
        const schedule = items.find((s) => s.name.toLowerCase() === options.schedule.trim().toLowerCase())
        if (!schedule) throw new CliError(`No on-call schedule named ${options.schedule}`)
        override = await request<Override>('POST', `/api/oncall/schedules/${schedule.id}/overrides`, {
          tier,
          contactId: options.contact,
          start: start.toISOString(),
          end: end.toISOString(),
          reason: options.reason,
        })
      } else {
        override = await withContext(async (ctx) => {
          const { findSchedule } = await import('./schedules.ts')
          const { createOverride } = await import('./overrides.ts')
          const schedule = await findSchedule(ctx.db, options.schedule)
          if (!schedule) throw new CliError(`No on-call schedule named ${options.schedule}`)
          return createOverride(
            ctx,
            schedule.id,
            { tier, contactId: options.contact, start, end, reason: options.reason },
            { actor: cliActor },
          )
        })
      }
      if (options.json) return printJson(override)
      printTable(
        [{ ...override, reason: override.reason ?? '' }],
        ['id', 'tier', 'contactId', 'start', 'end', 'reason'],
      )
    },
  )

  withRemoteOptions(
    program
      .command('contacts:list')
      .description('the contacts directory: people and vendor support')
      .option('--kind <kind>', 'person or vendor'),
  ).action(async (options: RemoteOptions & { kind?: string }) => {
    if (options.kind !== undefined && options.kind !== 'person' && options.kind !== 'vendor')
      throw new CliError('--kind must be person or vendor')
    const kind = options.kind
    const contacts = options.url
      ? (
          await remoteFor(options)<{ items: Contact[] }>(
            'GET',
            `/api/oncall/contacts${kind ? `?kind=${kind}` : ''}`,
          )
        ).items
      : await withContext(async (ctx) => (await import('./contacts.ts')).listContacts(ctx, { kind }))
    if (options.json) return printJson({ items: contacts })
    printTable(
      contacts.map((c) => ({
        ...c,
        organisation: c.organisation ?? '',
        email: c.email ?? '',
        slack: c.slack ?? '',
        phone: c.phone ?? '',
      })),
      ['id', 'kind', 'name', 'organisation', 'email', 'slack', 'phone'],
    )
  })
}
