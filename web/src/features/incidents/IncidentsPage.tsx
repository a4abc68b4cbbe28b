import { useId, useState } from 'react'
import { Link } from 'wouter'
import { atLeast, useMe } from '../../app/session.ts'
import { DataTable } from '../../components/DataTable.tsx'
import { inlineFieldClass, primaryButton, secondaryButton } from '../../components/forms.ts'
import { Empty, ErrorState, Loading } from '../../components/States.tsx'
import { number } from '../../lib/format.ts'
import { useLiveRefresh } from '../../lib/live.ts'
import { Badge, SeverityBadge, SlaBadge, StatusBadge } from './Badges.tsx'
import { INCIDENTS_KEY, useIncidents } from './hooks.ts'
import { NewIncidentForm } from './NewIncidentForm.tsx'
import { duration, POSTMORTEM_LABEL } from './show.ts'
import type { Incident, ListState } from './types.ts'

const STATES: [ListState, string][] = [
  ['open', 'Open'],
  ['resolved', 'Resolved'],
  ['all', 'All'],
]

function Title({ incident }: { incident: Incident }) {
  return (
    <div className="min-w-48">
      <Link
        href={`/incidents/${incident.id}`}
        className="font-medium text-amber-800 underline dark:text-amber-300"
      >
        {incident.title}
      </Link>
      <p className="flex flex-wrap items-center gap-1 text-xs text-stone-600 dark:text-stone-400">
        #{incident.id}
        {incident.kind === 'security' && <Badge>security</Badge>}
      </p>
    </div>
  )
}

function Postmortem({ incident }: { incident: Incident }) {
  const { required, status } = incident.postmortem
  if (status === 'missing' && !required) return <>—</>
  return (
    <span>
      {POSTMORTEM_LABEL[status]}
      {required && <span className="block text-xs text-stone-600 dark:text-stone-400">required</span>}
    </span>
  )
}

/** /incidents: open incidents by default (resolved or all on demand), newest first; managers open new ones. */
export function IncidentsPage() {
  const me = useMe().data
  const manager = me ? atLeast(me, 'manager') : false
  const [state, setState] = useState<ListState>('open')
  const [creating, setCreating] = useState(false)
  const incidents = useIncidents(state)
  const filterId = useId()
  useLiveRefresh(['incident.changed'], [INCIDENTS_KEY])
  const rows = incidents.data?.pages.flatMap((page) => page.items) ?? []
  const shown = STATES.find(([value]) => value === state)?.[1] ?? state

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-semibold">Incidents</h1>
        {manager && !creating && (
          <button type="button" className={primaryButton} onClick={() => setCreating(true)}>
            New incident
          </button>
        )}
      </div>
      {manager && creating && <NewIncidentForm onClose={() => setCreating(false)} />}
      <section aria-labelledby="incident-list-title" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="incident-list-title" className="text-lg font-semibold">
            {shown} incidents
          </h2>
          <div className="flex items-center gap-2 text-sm">
            <label htmlFor={filterId}>Show</label>
            <select
              id={filterId}
              className={inlineFieldClass}
              value={state}
              onChange={(e) => setState(e.target.value as ListState)}
            >
              {STATES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </div>
        {incidents.isPending ? (
          <Loading label="Loading the incidents…" />
        ) : incidents.isError ? (
          <ErrorState error={incidents.error} retry={() => incidents.refetch()} />
        ) : rows.length === 0 ? (
          <Empty>
            {state === 'open'
              ? 'No open incident.'
              : state === 'resolved'
                ? 'No resolved incident.'
                : 'No incident yet.'}
          </Empty>
        ) : (
          <DataTable
            caption={`${shown} incidents`}
            rows={rows}
            rowKey={(incident) => incident.id}
            columns={[
              { label: 'Severity', render: (i) => <SeverityBadge severity={i.severity} /> },
              { label: 'Incident', render: (i) => <Title incident={i} /> },
              { label: 'Status', render: (i) => <StatusBadge status={i.status} /> },
              { label: 'Lead', render: (i) => i.lead?.name ?? '—' },
              { label: 'Response SLA', render: (i) => <SlaBadge sla={i.sla} /> },
              { label: 'Duration', numeric: true, render: (i) => duration(i.durationMinutes) },
              { label: 'Alerts', numeric: true, render: (i) => number(i.alertCount) },
              { label: 'Post-mortem', render: (i) => <Postmortem incident={i} /> },
            ]}
          />
        )}
        {incidents.hasNextPage && (
          <button
            type="button"
            className={secondaryButton}
            disabled={incidents.isFetchingNextPage}
            onClick={() => incidents.fetchNextPage()}
          >
            {incidents.isFetchingNextPage ? 'Loading…' : 'Show more'}
          </button>
        )}
      </section>
    </div>
  )
}
