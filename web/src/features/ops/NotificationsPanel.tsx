import { atLeast, useMe } from '../../app/session.ts'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { secondaryButton } from '../../components/forms.ts'
import { Empty } from '../../components/States.tsx'
import { api } from '../../lib/api.ts'
import { number, percent } from '../../lib/format.ts'
import { useAction } from '../../lib/useAction.ts'
import { OPS_KEY, useChannels, useDeadLetters } from './hooks.ts'
import { OpsSection, QueryBlock, subheading } from './QueryBlock.tsx'
import { when } from './show.ts'
import type { ChannelStats, Channels, Message } from './types.ts'

interface ChannelRow {
  name: string
  kind: string
  enabled: boolean
  stats: ChannelStats | null
}

/** The configured channels, then the figures of messages sent to direct addresses. */
function rowsOf(channels: Channels): ChannelRow[] {
  return [
    ...channels.items.map((c) => ({ name: c.name, kind: c.kind, enabled: c.enabled, stats: c.stats })),
    ...channels.direct.map(({ channel, kind, ...stats }) => ({ name: channel, kind, enabled: true, stats })),
  ]
}

function LastError({ stats }: { stats: ChannelStats | null }) {
  if (!stats?.lastError) return <>—</>
  return (
    <span>
      <span className="break-words">{stats.lastError}</span>
      {stats.lastErrorAt && (
        <span className="block text-xs text-stone-600 dark:text-stone-400">{when(stats.lastErrorAt)}</span>
      )}
    </span>
  )
}

const targetOf = (m: Message) => m.target.channel ?? m.target.destination ?? m.target.kind

/** Delivery per channel and the dead letters; admins can send a dead letter again. */
export function NotificationsPanel() {
  const me = useMe().data
  const operator = me ? atLeast(me, 'operator') : false
  const admin = me ? atLeast(me, 'admin') : false
  const channels = useChannels(operator)
  const dead = useDeadLetters(operator)
  const action = useAction([OPS_KEY])
  if (!operator)
    return (
      <OpsSection id="notifications" title="Notifications">
        <Empty>Operators and admins see notification delivery.</Empty>
      </OpsSection>
    )
  return (
    <OpsSection
      id="notifications"
      title="Notifications"
      description="Delivery over the last 24 hours; messages still waiting and dead letters (given up after every retry)."
    >
      <QueryBlock
        query={channels}
        isEmpty={(d) => rowsOf(d).length === 0}
        empty="No notification channel is configured."
      >
        {(d) => (
          <DataTable
            caption="Notification channels"
            rows={rowsOf(d)}
            rowKey={(c) => c.name}
            columns={[
              { label: 'Channel', render: (c) => `${c.name} (${c.kind})${c.enabled ? '' : ', disabled'}` },
              {
                label: 'Success, 24 h',
                numeric: true,
                render: (c) => (c.stats?.successRate == null ? '—' : percent(c.stats.successRate)),
              },
              {
                label: 'Sent / failed',
                numeric: true,
                render: (c) => (c.stats ? `${number(c.stats.sent24h)} / ${number(c.stats.failed24h)}` : '—'),
              },
              { label: 'Pending', numeric: true, render: (c) => number(c.stats?.pending ?? 0) },
              { label: 'Dead', numeric: true, render: (c) => number(c.stats?.dead ?? 0) },
              { label: 'Last error', render: (c) => <LastError stats={c.stats} /> },
            ]}
          />
        )}
      </QueryBlock>
      <h3 className={subheading}>Dead letters</h3>
      <ActionStatus action={action} />
      <QueryBlock query={dead} isEmpty={(d) => d.items.length === 0} empty="No dead letters.">
        {(d) => (
          <DataTable
            caption="Dead letters"
            rows={d.items}
            rowKey={(m) => m.id}
            columns={[
              { label: 'Message', render: (m) => m.title },
              { label: 'To', render: targetOf },
              { label: 'Attempts', numeric: true, render: (m) => number(m.attempts) },
              { label: 'Last error', render: (m) => m.lastError ?? '—' },
              { label: 'Given up', render: (m) => (m.deadAt ? when(m.deadAt) : '—') },
              ...(admin
                ? [
                    {
                      label: 'Actions',
                      render: (m: Message) => (
                        <button
                          type="button"
                          className={secondaryButton}
                          aria-label={`Retry ${m.title} to ${targetOf(m)}`}
                          disabled={action.pending}
                          onClick={() =>
                            action.run(
                              () => api(`/api/notifications/messages/${m.id}/retry`, { method: 'POST' }),
                              `${m.title} is queued again.`,
                            )
                          }
                        >
                          Retry
                        </button>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </QueryBlock>
    </OpsSection>
  )
}
