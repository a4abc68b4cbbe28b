import { useState } from 'react'
import { atLeast, useMe } from '../../app/session.ts'
import { DataTable } from '../../components/DataTable.tsx'
import { secondaryButton } from '../../components/forms.ts'
import { Empty } from '../../components/States.tsx'
import { number, percent } from '../../lib/format.ts'
import { type MaintenanceRun, RUNS_PER_JOB, type TableBloat, useDbMaintenance } from './backup-hooks.ts'
import { Pill } from './Pill.tsx'
import { OpsSection, QueryBlock, subheading } from './QueryBlock.tsx'
import { duration, when } from './show.ts'

const OUTCOME: Record<MaintenanceRun['outcome'], { tone: 'good' | 'bad' | 'warn' | 'none'; label: string }> =
  {
    ok: { tone: 'good', label: 'ok' },
    failed: { tone: 'bad', label: 'failed' },
    skipped: { tone: 'warn', label: 'skipped' },
    running: { tone: 'none', label: 'running' },
  }

const words = (key: string) => key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()

/** What a run did, in one line: "deleted 120, tables 14"; lists by their length. */
function summary(detail: Record<string, unknown> | null): string {
  if (!detail) return ''
  const parts: string[] = []
  for (const [key, value] of Object.entries(detail)) {
    if (typeof value === 'number') parts.push(`${words(key)} ${number(value, 2)}`)
    else if (typeof value === 'string' || typeof value === 'boolean') parts.push(`${words(key)} ${value}`)
    else if (Array.isArray(value)) parts.push(`${words(key)} ${number(value.length)}`)
  }
  return parts.join(', ')
}

function Detail({ run }: { run: MaintenanceRun }) {
  const text = summary(run.detail)
  return (
    <span className="block max-w-md">
      {run.error && (
        <span className="block break-words text-red-900 dark:text-red-200">Error: {run.error}</span>
      )}
      {text && (
        <span className="line-clamp-3 break-words" title={text}>
          {text}
        </span>
      )}
      {!run.error && !text && '—'}
    </span>
  )
}

/** Tables with advice listed before "Show all": the most dead rows first, as the API orders them. */
const ADVICE_SHOWN = 10

function Advice({ tables }: { tables: TableBloat[] }) {
  const [all, setAll] = useState(false)
  const advised = tables.filter((t) => t.advice.length > 0)
  if (advised.length === 0) return <Empty>No advice: no table needs a VACUUM, ANALYZE or REINDEX now.</Empty>
  const rows = all ? advised : advised.slice(0, ADVICE_SHOWN)
  return (
    <div className="space-y-2">
      <p className="text-sm" data-advised={advised.length}>
        {advised.length === 1 ? '1 table has advice' : `${number(advised.length)} tables have advice`}, the
        most dead rows first.
      </p>
      <DataTable
        caption="Bloat advice"
        rows={rows}
        rowKey={(t) => t.table}
        columns={[
          { label: 'Table', render: (t) => <span className="font-medium">{t.table}</span> },
          {
            label: 'Dead rows',
            numeric: true,
            render: (t) => `${percent(t.deadRatio)} (${number(t.deadTuples)})`,
          },
          {
            label: 'Advice',
            render: (t) => (
              <ul className="space-y-1">
                {t.advice.map((statement) => (
                  <li key={statement}>
                    <code className="break-words font-mono text-xs">{statement}</code>
                  </li>
                ))}
              </ul>
            ),
          },
        ]}
      />
      {advised.length > ADVICE_SHOWN && (
        <button type="button" className={secondaryButton} onClick={() => setAll(!all)}>
          {all ? `Show the first ${ADVICE_SHOWN}` : `Show all ${number(advised.length)} tables`}
        </button>
      )}
    </div>
  )
}

/** The maintenance jobs' latest runs and the bloat report's advice; admins only. */
export function DbMaintenancePanel() {
  const me = useMe().data
  const admin = me ? atLeast(me, 'admin') : false
  const report = useDbMaintenance(admin)
  if (!admin) return null
  return (
    <OpsSection
      id="database-maintenance"
      title="Database maintenance"
      description={`The latest ${RUNS_PER_JOB} runs of each maintenance job (statistics, reindexing, retention), then what the bloat report advises.`}
    >
      <QueryBlock
        query={report}
        loading="Loading the maintenance report…"
        isEmpty={(d) => d.runs.length === 0}
        empty="No maintenance job has run yet."
      >
        {(d) => (
          <DataTable
            caption="Maintenance runs"
            rows={d.runs}
            rowKey={(r) => r.id}
            columns={[
              { label: 'Job', render: (r) => <span className="font-mono text-xs">{r.job}</span> },
              { label: 'When', render: (r) => <time dateTime={r.startedAt}>{when(r.startedAt)}</time> },
              {
                label: 'Duration',
                numeric: true,
                render: (r) => (r.durationMs === null ? '—' : duration(r.durationMs / 1000)),
              },
              {
                label: 'Outcome',
                render: (r) => (
                  <span data-outcome={r.outcome}>
                    <Pill tone={OUTCOME[r.outcome].tone} label={OUTCOME[r.outcome].label} />
                  </span>
                ),
              },
              { label: 'Detail', render: (r) => <Detail run={r} /> },
            ]}
          />
        )}
      </QueryBlock>
      <h3 className={subheading}>Bloat advice</h3>
      <QueryBlock query={report} isEmpty={() => false} empty="">
        {(d) => <Advice tables={d.bloat} />}
      </QueryBlock>
    </OpsSection>
  )
}
