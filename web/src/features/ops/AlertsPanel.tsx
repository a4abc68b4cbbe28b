import { Link } from 'wouter'
import { atLeast, useMe } from '../../app/session.ts'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { useAction } from '../../lib/useAction.ts'
import { AcknowledgeButton, SilenceButton } from './AlertActions.tsx'
import { Badge, SeverityBadge } from './Badges.tsx'
import { OPS_KEY, useActiveAlerts, useResolvedAlerts, useSilences } from './hooks.ts'
import { OpsSection, QueryBlock, subheading } from './QueryBlock.tsx'
import { when } from './show.ts'
import type { Alert, Severity, Silence } from './types.ts'

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 }

/** Firing before pending, then the most severe, then the newest. */
function byUrgency(a: Alert, b: Alert): number {
  if (a.state !== b.state) return a.state === 'firing' ? -1 : 1
  if (a.severity !== b.severity) return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]
  return b.pendingSince.localeCompare(a.pendingSince)
}

/** The alert's name, opening its escalation timeline, with its summary beneath. */
function AlertName({ alert }: { alert: Alert }) {
  return (
    <div>
      <Link
        href={`/ops/alerts/${alert.id}`}
        className="font-medium text-amber-800 underline dark:text-amber-300"
        aria-label={`${alert.ruleName}: timeline`}
      >
        {alert.ruleName}
      </Link>
      <p className="text-stone-600 dark:text-stone-400">{alert.summary}</p>
    </div>
  )
}

function silencedNow(alert: Alert, silences: Silence[]): boolean {
  return alert.silencedBy !== null || silences.some((s) => s.active && s.alertId === alert.id)
}

function AlertBadges({ alert, silenced }: { alert: Alert; silenced: boolean }) {
  return (
    <div className="flex flex-wrap gap-1">
      <Badge>{alert.state}</Badge>
      {alert.acknowledgedAt && <Badge>acknowledged</Badge>}
      {silenced && <Badge>silenced</Badge>}
      {alert.inMaintenance && <Badge>in maintenance</Badge>}
    </div>
  )
}

/** Firing and pending alerts with acknowledge and silence for operators; recently resolved below. */
export function AlertsPanel() {
  const me = useMe().data
  const operator = me ? atLeast(me, 'operator') : false
  const active = useActiveAlerts()
  const resolved = useResolvedAlerts()
  const silences = useSilences()
  const action = useAction([OPS_KEY])
  const silenceList = silences.data?.items ?? []

  return (
    <OpsSection
      id="alerts"
      title="Alerts"
      description="Open an alert for its escalation timeline: who was notified at each step, who could not be reached and why."
    >
      <ActionStatus action={action} />
      <h3 className={subheading}>Firing and pending</h3>
      <QueryBlock query={active} isEmpty={(d) => d.items.length === 0} empty="Nothing is firing or pending.">
        {(d) => (
          <DataTable
            caption="Firing and pending alerts"
            rows={[...d.items].sort(byUrgency)}
            rowKey={(a) => a.id}
            columns={[
              { label: 'Severity', render: (a) => <SeverityBadge severity={a.severity} /> },
              { label: 'Alert', render: (a) => <AlertName alert={a} /> },
              {
                label: 'State',
                render: (a) => <AlertBadges alert={a} silenced={silencedNow(a, silenceList)} />,
              },
              { label: 'Since', render: (a) => when(a.firedAt ?? a.pendingSince) },
              ...(operator
                ? [
                    {
                      label: 'Actions',
                      render: (a: Alert) => (
                        <div className="flex flex-wrap gap-2">
                          {a.state === 'firing' && !a.acknowledgedAt && (
                            <AcknowledgeButton alert={a} action={action} />
                          )}
                          {!silencedNow(a, silenceList) && <SilenceButton alert={a} action={action} />}
                        </div>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </QueryBlock>
      <h3 className={subheading}>Recently resolved</h3>
      <QueryBlock query={resolved} isEmpty={(d) => d.items.length === 0} empty="No alert has resolved yet.">
        {(d) => (
          <DataTable
            caption="Recently resolved alerts"
            rows={d.items}
            rowKey={(a) => a.id}
            columns={[
              { label: 'Severity', render: (a) => <SeverityBadge severity={a.severity} /> },
              { label: 'Alert', render: (a) => <AlertName alert={a} /> },
              { label: 'Fired', render: (a) => (a.firedAt ? when(a.firedAt) : '—') },
              { label: 'Resolved', render: (a) => (a.resolvedAt ? when(a.resolvedAt) : '—') },
            ]}
          />
        )}
      </QueryBlock>
    </OpsSection>
  )
}
