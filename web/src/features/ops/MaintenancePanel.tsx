import { DataTable } from '../../components/DataTable.tsx'
import { MAINTENANCE_DAYS, useMaintenance } from './hooks.ts'
import { OpsSection, QueryBlock } from './QueryBlock.tsx'
import { when } from './show.ts'
import type { Occurrence } from './types.ts'

function Status({ occurrence }: { occurrence: Occurrence }) {
  const now = Date.now()
  const inProgress = Date.parse(occurrence.start) <= now && now < Date.parse(occurrence.end)
  return inProgress ? (
    <span className="rounded-full bg-sky-100 px-2 py-0.5 text-xs font-medium text-sky-900 dark:bg-sky-900/60 dark:text-sky-100">
      in progress
    </span>
  ) : (
    <span>upcoming</span>
  )
}

/** Maintenance in progress and coming up, in the reader's own time zone. */
export function MaintenancePanel() {
  const occurrences = useMaintenance()
  return (
    <OpsSection
      id="maintenance"
      title="Maintenance"
      description={`Windows in progress or starting within ${MAINTENANCE_DAYS} days, in your time zone. Alerts that fire inside a window notify nobody until it ends; then one summary.`}
    >
      <QueryBlock
        query={occurrences}
        isEmpty={(d) => d.items.length === 0}
        empty={`No maintenance in the next ${MAINTENANCE_DAYS} days.`}
      >
        {(d) => (
          <DataTable
            caption="Maintenance windows"
            rows={d.items}
            rowKey={(o) => `${o.windowId}-${o.start}`}
            columns={[
              { label: 'Window', render: (o) => o.title },
              { label: 'Status', render: (o) => <Status occurrence={o} /> },
              { label: 'Starts', render: (o) => <time dateTime={o.start}>{when(o.start)}</time> },
              { label: 'Ends', render: (o) => <time dateTime={o.end}>{when(o.end)}</time> },
              { label: 'Read-only', render: (o) => (o.readOnly ? 'yes' : 'no') },
              { label: 'Planned in', render: (o) => o.timezone },
            ]}
          />
        )}
      </QueryBlock>
    </OpsSection>
  )
}
