import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { listChannels } from './channels.ts'
import type { ChannelKind } from './types.ts'

/**
 * Delivery figures per channel from the attempts of the last 24 hours and the outbox. Messages
 * sent to a direct address or URL are counted under `direct:email` and `direct:webhook` (shown
 * when they have any).
 */
export interface ChannelStats {
  channel: string
  kind: ChannelKind
  sent24h: number
  failed24h: number
  /** sent / (sent + failed) over 24 h; null without attempts. */
  successRate: number | null
  lastError: string | null
  lastErrorAt: string | null
  lastSentAt: string | null
  /** Not yet delivered: pending or being sent. */
  pending: number
  dead: number
}

const DAY_MS = 86_400_000

export async function channelStats(ctx: AppContext): Promise<ChannelStats[]> {
  const since = new Date(ctx.clock.ms() - DAY_MS)
  const key = sql<string>`coalesce(channel, 'direct:' || target_kind)`
  const [attempts, lastErrors, backlog, channels] = await Promise.all([
    sql<{ key: string; kind: ChannelKind; sent: string; failed: string; last_sent_at: Date | null }>`
      select ${key} as key, min(target_kind) as kind,
        count(*) filter (where outcome = 'sent' and attempted_at > ${since}) as sent,
        count(*) filter (where outcome = 'failed' and attempted_at > ${since}) as failed,
        max(attempted_at) filter (where outcome = 'sent') as last_sent_at
      from notification_attempts group by 1`.execute(ctx.db),
    sql<{ key: string; error: string | null; attempted_at: Date }>`
      select distinct on (${key}) ${key} as key, error, attempted_at
      from notification_attempts where outcome = 'failed'
      order by ${key}, attempted_at desc, id desc`.execute(ctx.db),
    sql<{ key: string; kind: ChannelKind; pending: string; dead: string }>`
      select ${key} as key, min(target_kind) as kind,
        count(*) filter (where status in ('pending', 'sending')) as pending,
        count(*) filter (where status = 'dead') as dead
      from notification_outbox where status <> 'sent' group by 1`.execute(ctx.db),
    listChannels(ctx),
  ])
  const rows = new Map<string, ChannelKind>(channels.map((c) => [c.name, c.kind]))
  for (const row of [...attempts.rows, ...backlog.rows])
    if (row.key.startsWith('direct:') && !rows.has(row.key)) rows.set(row.key, row.kind)
  return [...rows].map(([channel, kind]) => {
    const tried = attempts.rows.find((row) => row.key === channel)
    const waiting = backlog.rows.find((row) => row.key === channel)
    const error = lastErrors.rows.find((row) => row.key === channel)
    const sent = Number(tried?.sent ?? 0)
    const failed = Number(tried?.failed ?? 0)
    return {
      channel,
      kind,
      sent24h: sent,
      failed24h: failed,
      successRate: sent + failed === 0 ? null : sent / (sent + failed),
      lastError: error?.error ?? null,
      lastErrorAt: error ? new Date(error.attempted_at).toISOString() : null,
      lastSentAt: tried?.last_sent_at ? new Date(tried.last_sent_at).toISOString() : null,
      pending: Number(waiting?.pending ?? 0),
      dead: Number(waiting?.dead ?? 0),
    }
  })
}
