import type { ReactNode } from 'react'
import { Empty } from '../../components/States.tsx'
import { number } from '../../lib/format.ts'
import type { Drill, Drills } from './backup-hooks.ts'
import { MetPill, Pill } from './Pill.tsx'
import { subheading } from './QueryBlock.tsx'
import { duration, when } from './show.ts'

/** A length of time as people read it, with the exact seconds kept in the markup. */
export function Seconds({ value }: { value: number }) {
  return <data value={value}>{duration(value)}</data>
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
      <dt className="font-medium text-stone-700 dark:text-stone-300">{term}</dt>
      <dd className="flex flex-wrap items-center gap-2">{children}</dd>
    </div>
  )
}

/** "measured 2.4 s · objective 1 h · met" */
function Objective(props: { measured: number | null; objective: number; met: boolean | null; kind: string }) {
  return (
    <span className="flex flex-wrap items-center gap-2" data-objective={props.kind}>
      <span>
        measured {props.measured === null ? 'nothing' : <Seconds value={props.measured} />} · objective{' '}
        <Seconds value={props.objective} />
      </span>
      <MetPill met={props.met} />
    </span>
  )
}

function Integrity({ integrity }: { integrity: NonNullable<Drill['report']['integrity']> }) {
  const mismatches = integrity.tables.filter((t) => !t.ok)
  const { migration } = integrity
  return (
    <>
      <Row term="Integrity">
        <span data-integrity>
          {number(integrity.tables.length)} tables checked, {number(mismatches.length)}{' '}
          {mismatches.length === 1 ? 'mismatch' : 'mismatches'}
        </span>
        <Pill tone={integrity.ok ? 'good' : 'bad'} label={integrity.ok ? 'intact' : 'not intact'} />
      </Row>
      {mismatches.length > 0 && (
        <ul className="ml-4 list-disc">
          {mismatches.map((t) => (
            <li key={t.name}>
              {t.name}: {number(t.expected)} rows expected, {number(t.actual)} restored
            </li>
          ))}
        </ul>
      )}
      <Row term="Schema migration">
        <span className="break-all">
          {migration.actual ?? 'none'}
          {!migration.ok && ` (expected ${migration.expected ?? 'none'})`}
        </span>
        <Pill tone={migration.ok ? 'good' : 'bad'} label={migration.ok ? 'matches' : 'differs'} />
      </Row>
    </>
  )
}

/** The last restore drill: outcome, measured RTO and RPO against the objectives, what was checked. */
export function DrillReport({ drills }: { drills: Drills }) {
  const drill = drills.items[0]
  const { objectives } = drills
  if (!drill) return <Empty>No recovery drill has run yet.</Empty>
  const queries = drill.report.queries ?? []
  return (
    <div
      data-drill={drill.id}
      className="space-y-2 rounded-lg border border-stone-200 bg-white p-4 text-sm dark:border-stone-800 dark:bg-stone-900"
    >
      <dl className="space-y-2">
        <Row term="Outcome">
          <Pill tone={drill.outcome === 'passed' ? 'good' : 'bad'} label={drill.outcome} />
          <span>
            <time dateTime={drill.startedAt}>{when(drill.startedAt)}</time>
            {drill.backupId && (
              <>
                {' '}
                · from backup <span className="break-all font-mono text-xs">{drill.backupId}</span>
              </>
            )}
          </span>
        </Row>
        {drill.error && <p className="break-words text-red-900 dark:text-red-200">Error: {drill.error}</p>}
        <Row term="Recovery time (RTO)">
          <Objective
            kind="rto"
            measured={drill.rtoSeconds}
            objective={objectives.rtoSeconds}
            met={drill.rtoMet}
          />
        </Row>
        <Row term="Data loss window (RPO)">
          <Objective
            kind="rpo"
            measured={drill.rpoSeconds}
            objective={objectives.rpoSeconds}
            met={drill.rpoMet}
          />
        </Row>
        {drill.report.verify && (
          <Row term="Backup check">
            <span>{drill.report.verify.state}</span>
            {drill.report.verify.failed.length > 0 && (
              <span className="break-words">failed: {drill.report.verify.failed.join(', ')}</span>
            )}
          </Row>
        )}
        {drill.report.integrity && <Integrity integrity={drill.report.integrity} />}
      </dl>
      <h4 className={subheading}>Critical queries</h4>
      {queries.length === 0 ? (
        <p className="text-stone-600 dark:text-stone-400">No query was run.</p>
      ) : (
        <ul aria-label="Critical queries" className="space-y-1">
          {queries.map((q) => (
            <li key={q.name} className="flex flex-wrap items-center gap-2">
              <Pill tone={q.ok ? 'good' : 'bad'} label={q.ok ? 'ok' : 'failed'} />
              <span className="font-medium">{q.name}</span>
              <span className="break-words text-stone-600 dark:text-stone-400">{q.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
