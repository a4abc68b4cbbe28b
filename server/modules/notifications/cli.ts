import type { Command } from 'commander'
import { cliActor, type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import { BIGINT_ID } from '../../platform/http/schema.ts'
import type { MessageView } from './outbox.ts'
import { MESSAGE_STATUSES, type MessageStatus } from './types.ts'

const service = () => import('./service.ts')

function printMessages(items: MessageView[], nextCursor: string | null, options: RemoteOptions): void {
  if (options.json) {
    printJson({ items, nextCursor })
    return
  }
  printTable(
    items.map((m) => ({
      id: m.id,
      status: m.status,
      to: m.target.channel ?? `${m.target.kind} ${m.target.destination}`,
      attempts: m.attempts,
      source: m.source ?? '',
      created: m.createdAt,
      title: m.title.slice(0, 60),
      lastError: m.lastError?.slice(0, 80) ?? '',
    })),
    ['id', 'status', 'to', 'attempts', 'source', 'created', 'title', 'lastError'],
  )
  if (nextCursor) console.log(`more: --cursor ${nextCursor}`)
}

export function registerNotificationCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('notifications:list')
      .description('the notification outbox, newest first (dead letters with --status dead)')
      .option('--status <status>', `only this status: ${MESSAGE_STATUSES.join(', ')}`)
      .option('--source <source>', 'only messages from this source, e.g. alert:42')
      .option('--limit <n>', 'messages per page (default 50)')
      .option('--cursor <cursor>', 'continue after a previous page'),
  ).action(
    async (
      options: RemoteOptions & { status?: string; source?: string; limit?: string; cursor?: string },
    ) => {
      if (options.status !== undefined && !(MESSAGE_STATUSES as readonly string[]).includes(options.status))
        throw new CliError(`--status must be one of ${MESSAGE_STATUSES.join(', ')}`)
      const limit = options.limit === undefined ? undefined : Number(options.limit)
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 500))
        throw new CliError('--limit must be a whole number from 1 to 500')
      const query = {
        status: options.status as MessageStatus | undefined,
        source: options.source,
        limit,
        cursor: options.cursor,
      }
      const page = options.url
        ? await remoteFor(options)<{ items: MessageView[]; nextCursor: string | null }>(
            'GET',
            `/api/notifications/messages?${new URLSearchParams(
              Object.entries(query).flatMap(([k, v]): [string, string][] =>
                v === undefined ? [] : [[k, String(v)]],
              ),
            )}`,
          )
        : await withContext(async (ctx) => (await service()).listMessages(ctx, query))
      printMessages(page.items, page.nextCursor, options)
    },
  )

  withRemoteOptions(
    program
      .command('notifications:retry')
      .description('send a dead letter again (its attempts start over; audited)')
      .argument('<id>'),
  ).action(async (id: string, options: RemoteOptions) => {
    if (!BIGINT_ID.test(id)) throw new CliError('<id> is a message id, a whole number')
    const message = options.url
      ? await remoteFor(options)<MessageView>('POST', `/api/notifications/messages/${id}/retry`, {})
      : await withContext(async (ctx) => (await service()).retryMessage(ctx, id, cliActor))
    if (options.json) printJson(message)
    else
      console.log(
        `Notification ${message.id} is ${message.status} again; it is sent at the next delivery pass.`,
      )
  })

  withRemoteOptions(
    program
      .command('notifications:test')
      .description(
        'send a test message to a channel: locally it is sent at once and the outcome printed (exit 1 when it failed); with --url it is queued on the instance',
      )
      .argument('<channel>'),
  ).action(async (channel: string, options: RemoteOptions) => {
    if (options.url) {
      const queued = await remoteFor(options)<{ id: string }>(
        'POST',
        `/api/notifications/channels/${encodeURIComponent(channel)}/test`,
        {},
      )
      return options.json
        ? printJson(queued)
        : console.log(`Queued test notification ${queued.id} to ${channel}.`)
    }
    const message = await withContext(async (ctx) => {
      const { sendTestMessage, getMessage } = await service()
      const { deliverNow } = await import('./delivery.ts')
      const { id } = await sendTestMessage(ctx, channel, cliActor)
      await deliverNow(ctx, [id])
      return getMessage(ctx, id)
    })
    if (options.json) printJson(message)
    else if (message.status === 'sent')
      console.log(`Test notification ${message.id} delivered to ${channel}.`)
    else if (message.status === 'sending' || message.attempts === 0)
      console.error(
        `Test notification ${message.id} is being delivered by a running instance; see notifications:list.`,
      )
    else
      console.error(
        `Test notification ${message.id} to ${channel} is ${message.status}: ${message.lastError ?? ''}`,
      )
    if (message.status !== 'sent') process.exitCode = 1
  })

  withRemoteOptions(
    program
      .command('notifications:channels')
      .description('notification channels with their delivery figures'),
  ).action(async (options: RemoteOptions) => {
    type Row = {
      name: string
      kind: string
      destination: string
      enabled: boolean
      origin: string
      stats: Stats | null
    }
    type Stats = {
      sent24h: number
      failed24h: number
      pending: number
      dead: number
      lastError: string | null
    }
    const items: Row[] = options.url
      ? (await remoteFor(options)<{ items: Row[] }>('GET', '/api/notifications/channels')).items
      : await withContext(async (ctx) => {
          const { listChannels, channelStats } = await service()
          const { presentChannel } = await import('./channels.ts')
          const stats = await channelStats(ctx)
          return (await listChannels(ctx)).map((c) => ({
            ...presentChannel(c),
            stats: stats.find((s) => s.channel === c.name) ?? null,
          }))
        })
    if (options.json) return printJson({ items })
    printTable(
      items.map((c) => ({
        name: c.name,
        kind: c.kind,
        destination: c.destination,
        enabled: c.enabled ? 'yes' : 'no',
        origin: c.origin,
        sent24h: c.stats?.sent24h ?? 0,
        failed24h: c.stats?.failed24h ?? 0,
        pending: c.stats?.pending ?? 0,
        dead: c.stats?.dead ?? 0,
        lastError: c.stats?.lastError?.slice(0, 60) ?? '',
      })),
      [
        'name',
        'kind',
        'destination',
        'enabled',
        'origin',
        'sent24h',
        'failed24h',
        'pending',
        'dead',
        'lastError',
      ],
    )
  })
}
