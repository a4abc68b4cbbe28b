import type { ReactNode } from 'react'
import { useMe } from '../../app/session.ts'
import { SideDrawer } from '../../components/SideDrawer.tsx'
import { ErrorState, Loading } from '../../components/States.tsx'
import { TimelineList } from '../../components/TimelineList.tsx'
import { TitledList } from '../../components/TitledList.tsx'
import { SeverityBadge } from './Badges.tsx'
import { useAlert } from './hooks.ts'
import { when } from './show.ts'
import type { AlertDetail, TimelineEvent } from './types.ts'

interface Reached {
  label: string
}
interface Unreached {
  label: string
  reason: string
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '')
const list = <T,>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : [])

/** Who the server's `type:id` actor label is; "you" for the reader. */
function who(label: string, meId: string | undefined): string {
  return meId && label === `user:${meId}` ? 'you' : label
}

function Delivery({ detail }: { detail: Record<string, unknown> }) {
  const reached = list<Reached>(detail.recipients).map((r) => r.label)
  const unreached = list<Unreached>(detail.unreached).map((u) => `${u.label}: ${u.reason}`)
  return (
    <>
      <TitledList title="Notified" items={reached} />
      <TitledList title="Could not be reached" items={unreached} />
      {reached.length === 0 && unreached.length === 0 && <p>Nobody to notify.</p>}
    </>
  )
}

/** One timeline event in words. */
function eventInWords(event: TimelineEvent, meId: string | undefined): { title: string; body?: ReactNode } {
  const d = event.detail
  switch (event.kind) {
    case 'pending':
      return { title: 'Condition breached', body: text(d.summary) }
    case 'firing':
      return { title: `Fired (${text(d.severity)})`, body: text(d.summary) }
    case 'severity':
      return { title: `Severity changed from ${text(d.from)} to ${text(d.to)}` }
    case 'notified': {
      const step = typeof d.step === 'number' ? d.step + 1 : '?'
      const targets = list<string>(d.targets).join(', ')
      return { title: `Escalation step ${step}: ${targets}`, body: <Delivery detail={d} /> }
    }
    case 'acknowledged':
      return {
        title: `Acknowledged by ${who(text(d.by), meId)}`,
        body: text(d.note) ? `Note: ${text(d.note)}` : undefined,
      }
    case 'silenced':
      return { title: 'Silenced', body: text(d.reason) ? `Reason: ${text(d.reason)}` : undefined }
    case 'silence_expired':
      return { title: 'Silence ended while still firing; escalation goes on' }
    case 'resolved':
      return { title: 'Resolved', body: text(d.summary) }
    case 'resolved_notified':
      return { title: 'Resolution sent', body: <Delivery detail={d} /> }
    case 'maintenance':
      return {
        title: `Fired during maintenance: ${text(d.window)}`,
        body: `${text(d.note)}${text(d.until) ? ` (window ends ${when(text(d.until))})` : ''}`,
      }
    case 'maintenance_summary':
      return { title: 'Maintenance summary sent', body: <Delivery detail={d} /> }
    default:
      return { title: event.kind.replaceAll('_', ' ') }
  }
}

function Timeline({ alert }: { alert: AlertDetail }) {
  const meId = useMe().data?.id
  const facts: [string, ReactNode][] = [
    ['Severity', <SeverityBadge key="s" severity={alert.severity} />],
    ['State', alert.state],
    ['Metric', alert.metric],
    ['Summary', alert.summary],
    ['Pending since', when(alert.pendingSince)],
    ['Fired', alert.firedAt ? when(alert.firedAt) : '—'],
    ['Acknowledged', alert.acknowledgedAt ? when(alert.acknowledgedAt) : '—'],
    ['Resolved', alert.resolvedAt ? when(alert.resolvedAt) : '—'],
    ['Escalation steps taken', String(alert.stepsDone)],
  ]
  return (
    <div className="space-y-4">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        {facts.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-stone-600 dark:text-stone-400">{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3 className="text-base font-semibold">Timeline</h3>
      <TimelineList
        items={alert.timeline.map((event) => ({ ...event, ...eventInWords(event, meId) }))}
        formatTime={when}
      />
    </div>
  )
}

/** One alert with its escalation timeline, in a dialog at the side; Escape or Close closes it. */
export function AlertTimeline({ id, onClose }: { id: string; onClose: () => void }) {
  const alert = useAlert(id)
  return (
    <SideDrawer
      titleId="alert-title"
      title={alert.data ? alert.data.ruleName : `Alert ${id}`}
      onClose={onClose}
    >
      {alert.isPending ? (
        <Loading label="Loading the alert…" />
      ) : alert.isError ? (
        <ErrorState error={alert.error} retry={() => alert.refetch()} />
      ) : (
        <Timeline alert={alert.data} />
      )}
    </SideDrawer>
  )
}
