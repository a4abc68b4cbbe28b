import type { ReactNode } from 'react'
import { useMe } from '../../app/session.ts'
import { TimelineList } from '../../components/TimelineList.tsx'
import { TitledList } from '../../components/TitledList.tsx'
import { duration, STATUS_LABEL, when, who } from './show.ts'
import type { IncidentDetail, Status, TimelineEntry } from './types.ts'

const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''
const list = <T,>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : [])
const status = (value: unknown) => STATUS_LABEL[value as Status] ?? text(value)

/** Who a message or escalation step reached, and who not with why. */
function Delivery({ detail }: { detail: Record<string, unknown> }) {
  const reached = list<{ label: string }>(detail.recipients).map((r) => r.label)
  const channels = list<string>(detail.channels)
  const unreached = list<{ label?: string; channel?: string; reason: string }>(detail.unreached).map(
    (u) => `${u.label ?? u.channel ?? ''}: ${u.reason}`,
  )
  return (
    <>
      <TitledList title="Notified" items={reached} />
      <TitledList title="Channels" items={channels} />
      <TitledList title="Could not be reached" items={unreached} />
    </>
  )
}

/** The fields an `updated` entry changed, from → to. */
function Changes({ detail }: { detail: Record<string, unknown> }) {
  const fields = Object.entries(detail) as [string, { from?: unknown; to?: unknown }][]
  return (
    <ul className="ml-4 list-disc">
      {fields.map(([field, change]) => (
        <li key={field}>
          {field}: {show(change?.from)} → {show(change?.to)}
        </li>
      ))}
    </ul>
  )
}

const show = (value: unknown) =>
  Array.isArray(value) ? value.join(', ') || '(none)' : text(value) || '(empty)'

/** One timeline entry in words: a title and, where there is more to say, a body. */
function entryInWords(
  entry: TimelineEntry,
  incident: IncidentDetail,
  meId: string | undefined,
): { title: string; body?: ReactNode } {
  const d = entry.detail
  const by = entry.actor ? ` by ${who(entry.actor, meId)}` : ''
  switch (entry.kind) {
    case 'created':
      return { title: `Opened${by} as ${text(d.severity)}, ${status(d.status)} (from ${text(d.source)})` }
    case 'status':
      return { title: `Status changed from ${status(d.from)} to ${status(d.to)}${by}` }
    case 'severity':
      return { title: `Severity changed from ${text(d.from)} to ${text(d.to)}${by}` }
    case 'lead': {
      const to = text(d.to)
      if (!to) return { title: `Lead cleared${by}` }
      const name = incident.lead?.id === to ? incident.lead.name : who(`user:${to}`, meId)
      return { title: `Lead set to ${name}${by}` }
    }
    case 'updated':
      return { title: `Details changed${by}`, body: <Changes detail={d} /> }
    case 'acknowledged':
      return {
        title: `Acknowledged${by} after ${duration(Number(d.minutes) || 0)}`,
        body: d.withinSla === false ? 'The response SLA was missed.' : 'Within the response SLA.',
      }
    case 'note':
      return { title: `Note${by}`, body: <p className="whitespace-pre-wrap">{text(d.text)}</p> }
    case 'alert_attached':
      return {
        title: `Alert attached${by}: ${text(d.rule)} (${text(d.severity)})`,
        body: text(d.summary) || undefined,
      }
    case 'escalated': {
      const step = typeof d.step === 'number' ? d.step + 1 : '?'
      return {
        title: `Escalation step ${step}: ${list<string>(d.targets).join(', ')}`,
        body: <Delivery detail={d} />,
      }
    }
    case 'message':
      return {
        title: `Message sent${by}: ${text(d.title) || text(d.template)}`,
        body: (
          <>
            {text(d.text) && <p className="whitespace-pre-wrap">{text(d.text)}</p>}
            <Delivery detail={d} />
          </>
        ),
      }
    case 'checklist':
      return {
        title: `Checklist: ${text(d.title) || text(d.key)} ${d.done ? 'done' : 'reopened'}${by}${d.late ? ' (after its deadline)' : ''}`,
        body: text(d.note) ? `Note: ${text(d.note)}` : undefined,
      }
    case 'postmortem':
      return { title: `Post-mortem ${text(d.change) || 'changed'}${by}` }
    case 'sla_breached':
      return {
        title: `Response SLA breached: not acknowledged within ${duration(Number(d.responseMinutes) || 0)}`,
      }
    default:
      return { title: `${entry.kind.replaceAll('_', ' ')}${by}` }
  }
}

/** The incident's timeline, oldest first, times in the reader's time zone. */
export function IncidentTimeline({ incident }: { incident: IncidentDetail }) {
  const meId = useMe().data?.id
  return (
    <TimelineList
      items={incident.timeline.map((entry) => ({ ...entry, ...entryInWords(entry, incident, meId) }))}
      formatTime={when}
    />
  )
}
