import type { ReactNode } from 'react'
import { Link, useRoute } from 'wouter'
import { atLeast, type Me, useMe } from '../../app/session.ts'
import { ErrorState, Loading } from '../../components/States.tsx'
import { useLiveRefresh } from '../../lib/live.ts'
import { useAction } from '../../lib/useAction.ts'
import { Badge, SeverityBadge, SlaBadge, StatusBadge } from './Badges.tsx'
import { Communications } from './Communications.tsx'
import { INCIDENTS_KEY, useIncident } from './hooks.ts'
import { IncidentActions } from './IncidentActions.tsx'
import { IncidentTimeline } from './IncidentTimeline.tsx'
import { PostmortemEditor } from './PostmortemEditor.tsx'
import { SecurityChecklist } from './SecurityChecklist.tsx'
import { duration, when, who } from './show.ts'
import type { IncidentDetail } from './types.ts'

const section = (id: string, title: string, children: ReactNode) => (
  <section aria-labelledby={`${id}-title`} className="space-y-3">
    <h2 id={`${id}-title`} className="text-lg font-semibold">
      {title}
    </h2>
    {children}
  </section>
)

function Facts({ incident, me }: { incident: IncidentDetail; me: Me }) {
  const facts: [string, ReactNode][] = [
    ['Severity', <SeverityBadge key="s" severity={incident.severity} />],
    ['Status', <StatusBadge key="st" status={incident.status} />],
    ['Response SLA', <SlaBadge key="sla" sla={incident.sla} />],
    ['Duration', duration(incident.durationMinutes)],
    ['Lead', incident.lead ? `${incident.lead.name} (${incident.lead.email})` : 'nobody yet'],
    ['Detected', when(incident.detectedAt)],
    [
      'Acknowledged',
      incident.acknowledgedAt
        ? `${when(incident.acknowledgedAt)}${incident.acknowledgedBy ? ` by ${who(incident.acknowledgedBy, me.id)}` : ''}`
        : 'not yet',
    ],
    ['Resolved', incident.resolvedAt ? when(incident.resolvedAt) : '—'],
    ['Opened by', `${who(incident.createdBy, me.id)} (${incident.source})`],
    ['Components', incident.components.join(', ') || '—'],
    ['Channels', incident.channels.join(', ') || '—'],
    ['Participants', incident.participants.join(', ') || '—'],
  ]
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 rounded-lg border border-stone-200 bg-white p-4 text-sm dark:border-stone-800 dark:bg-stone-900">
      {facts.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-stone-600 dark:text-stone-400">{label}</dt>
          <dd className="min-w-0 break-words">{value}</dd>
        </div>
      ))}
    </dl>
  )
}

function Alerts({ incident }: { incident: IncidentDetail }) {
  if (incident.alerts.length === 0)
    return <p className="text-sm text-stone-600 dark:text-stone-400">No alert attached.</p>
  return (
    <ul className="space-y-2 text-sm">
      {incident.alerts.map((alert) => (
        <li key={alert.id}>
          <Link
            href={`/ops/alerts/${alert.id}`}
            className="font-medium text-amber-800 underline dark:text-amber-300"
          >
            {alert.ruleName}
          </Link>{' '}
          <span className="text-stone-600 dark:text-stone-400">
            ({alert.severity}, {alert.state}) · attached {when(alert.attachedAt)}
          </span>
          <p className="text-stone-700 dark:text-stone-300">{alert.summary}</p>
        </li>
      ))}
    </ul>
  )
}

function Detail({ incident, me }: { incident: IncidentDetail; me: Me }) {
  const action = useAction([INCIDENTS_KEY])
  const checklistAction = useAction([INCIDENTS_KEY])
  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <Link href="/incidents" className="text-sm text-amber-800 underline dark:text-amber-300">
          All incidents
        </Link>
        <h1 className="text-2xl font-semibold break-words">{incident.title}</h1>
        <p className="flex flex-wrap items-center gap-2 text-sm text-stone-600 dark:text-stone-400">
          Incident #{incident.id}
          {incident.kind === 'security' && <Badge>security</Badge>}
          <span>· updates live</span>
        </p>
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-6">
          <Facts incident={incident} me={me} />
          {incident.impact &&
            section('impact', 'Impact', <p className="text-sm whitespace-pre-wrap">{incident.impact}</p>)}
          <IncidentActions incident={incident} me={me} action={action} />
        </div>
        {section('timeline', 'Timeline', <IncidentTimeline incident={incident} />)}
      </div>
      {section('alerts', 'Attached alerts', <Alerts incident={incident} />)}
      {incident.kind === 'security' && (
        <SecurityChecklist incident={incident} canTick={atLeast(me, 'operator')} action={checklistAction} />
      )}
      <Communications incident={incident} canSend={atLeast(me, 'manager')} />
      <PostmortemEditor incident={incident} canEdit={atLeast(me, 'manager')} />
    </div>
  )
}

/** /incidents/:id: the incident's facts, the actions the reader's role allows, and its record. */
export function IncidentPage() {
  const [, params] = useRoute('/incidents/:id')
  const id = params?.id ?? ''
  const me = useMe().data
  const incident = useIncident(id)
  useLiveRefresh(['incident.changed'], [INCIDENTS_KEY])
  if (!me) return null
  if (incident.isPending) return <Loading label="Loading the incident…" />
  if (incident.isError)
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-semibold">Incident #{id}</h1>
        <ErrorState error={incident.error} retry={() => incident.refetch()} />
        <Link href="/incidents" className="text-sm text-amber-800 underline dark:text-amber-300">
          All incidents
        </Link>
      </div>
    )
  return <Detail incident={incident.data} me={me} />
}
