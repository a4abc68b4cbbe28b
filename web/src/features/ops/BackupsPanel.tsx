import { useState } from 'react'
import { atLeast, useMe } from '../../app/session.ts'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { primaryButton, secondaryButton } from '../../components/forms.ts'
import { api } from '../../lib/api.ts'
import { useAction } from '../../lib/useAction.ts'
import {
  BACKUPS_KEY,
  type Backup,
  type Drill,
  type Drills,
  useBackups,
  useDrills,
  type VerifyReport,
  type VerifyState,
} from './backup-hooks.ts'
import { DrillReport, Seconds } from './DrillReport.tsx'
import { Pill } from './Pill.tsx'
import { OpsSection, QueryBlock, subheading } from './QueryBlock.tsx'
import { bytes, when } from './show.ts'

const VERIFY: Record<VerifyState, { tone: 'good' | 'bad' | 'none'; label: string }> = {
  good: { tone: 'good', label: 'Good' },
  corrupt: { tone: 'bad', label: 'Corrupt' },
  unverified: { tone: 'none', label: 'Unverified' },
}

function VerifyBadge({ backup }: { backup: Backup }) {
  const { tone, label } = VERIFY[backup.verifyState]
  return (
    <span className="flex flex-col items-start gap-1" data-verify={backup.verifyState}>
      <Pill tone={tone} label={label} />
      {backup.verifiedAt && (
        <span className="text-xs text-stone-600 dark:text-stone-400">{when(backup.verifiedAt)}</span>
      )}
    </span>
  )
}

function Status({ backup }: { backup: Backup }) {
  if (backup.status === 'complete') return <>complete</>
  return (
    <span>
      {backup.status}
      {backup.error && (
        <span className="block break-words text-xs text-red-900 dark:text-red-200">{backup.error}</span>
      )}
    </span>
  )
}

const ageOf = (b: Backup) => Math.max(0, (Date.now() - Date.parse(b.finishedAt ?? b.startedAt)) / 1000)

/** The newest verified backup's age against the RPO objective: a backup older than it loses more. */
function Freshness({ drills }: { drills: Drills }) {
  const age = drills.newestVerifiedBackupAgeSeconds
  const objective = drills.objectives.rpoSeconds
  return (
    <p className="flex flex-wrap items-center gap-2 text-sm" data-freshness>
      {age === null ? (
        <>
          <span>
            No backup has been verified good yet; the RPO objective is <Seconds value={objective} />.
          </span>
          <Pill tone="bad" label="no verified backup" />
        </>
      ) : (
        <>
          <span>
            Newest verified backup: <Seconds value={age} /> old, against the RPO objective of{' '}
            <Seconds value={objective} />.
          </span>
          {age <= objective ? (
            <Pill tone="good" label="within objective" />
          ) : (
            <Pill tone="bad" label="older than objective" />
          )}
        </>
      )}
    </p>
  )
}

function VerifyResult({ report }: { report: VerifyReport }) {
  const failed = report.checks.filter((c) => !c.ok)
  return (
    <div className="text-sm" data-verify-report={report.id}>
      <p className="flex flex-wrap items-center gap-2">
        <span>
          {report.id}
          {report.store && ` (from the ${report.store} store)`}:
        </span>
        <Pill tone={report.state === 'good' ? 'good' : 'bad'} label={VERIFY[report.state].label} />
        <span>
          {report.checks.length - failed.length} of {report.checks.length} checks passed
        </span>
      </p>
      {failed.length > 0 && (
        <ul className="ml-4 list-disc">
          {failed.map((c) => (
            <li key={c.name} className="break-words">
              {c.name}: {c.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

/** Backups with their verification, the last recovery drill against the objectives; admins only. */
export function BackupsPanel() {
  const me = useMe().data
  const admin = me ? atLeast(me, 'admin') : false
  const backups = useBackups(admin)
  const drills = useDrills(admin)
  const action = useAction([BACKUPS_KEY])
  const [report, setReport] = useState<VerifyReport | null>(null)
  if (!admin) return null
  const verify = async (id: string) => {
    setReport(null)
    const result = await action.run(
      () => api<VerifyReport>(`/api/backups/${encodeURIComponent(id)}/verify`, { method: 'POST' }),
      `Backup ${id} is checked.`,
    )
    if (result) setReport(result)
  }
  const backUp = () => {
    setReport(null)
    return action.run(() => api<Backup>('/api/backups', { method: 'POST' }), 'The backup is taken.')
  }
  const drill = () => {
    setReport(null)
    return action.run(
      () => api<Drill>('/api/backups/drills', { method: 'POST' }),
      'The drill has run: its report is below.',
    )
  }
  return (
    <OpsSection
      id="backups"
      title="Backups and recovery"
      description="Backups, newest first, with their last verification; a drill restores the newest good backup into a scratch database and measures recovery time (RTO) and data loss window (RPO) against the objectives."
    >
      <div className="flex flex-wrap gap-2">
        <button type="button" className={primaryButton} disabled={action.pending} onClick={backUp}>
          Back up now
        </button>
        <button type="button" className={secondaryButton} disabled={action.pending} onClick={drill}>
          Run drill
        </button>
        {action.pending && (
          <span role="status" className="self-center text-sm text-stone-600 dark:text-stone-400">
            Working…
          </span>
        )}
      </div>
      <ActionStatus action={action} />
      {report && <VerifyResult report={report} />}
      {drills.data && <Freshness drills={drills.data} />}
      <QueryBlock
        query={backups}
        loading="Loading the backups…"
        isEmpty={(d) => d.items.length === 0}
        empty="No backups yet."
      >
        {(d) => (
          <DataTable
            caption="Backups"
            rows={d.items}
            rowKey={(b) => b.id}
            columns={[
              { label: 'Backup', render: (b) => <span className="font-mono text-xs">{b.id}</span> },
              { label: 'When', render: (b) => <time dateTime={b.startedAt}>{when(b.startedAt)}</time> },
              { label: 'Age', render: (b) => <Seconds value={Math.round(ageOf(b))} /> },
              {
                label: 'Size',
                numeric: true,
                render: (b) => (b.sizeBytes === null ? '—' : bytes(b.sizeBytes)),
              },
              { label: 'Stores', render: (b) => (b.stores.length ? b.stores.join(', ') : '—') },
              { label: 'Status', render: (b) => <Status backup={b} /> },
              { label: 'Verified', render: (b) => <VerifyBadge backup={b} /> },
              {
                label: 'Actions',
                render: (b) =>
                  b.status === 'complete' ? (
                    <button
                      type="button"
                      className={secondaryButton}
                      aria-label={`Verify ${b.id}`}
                      disabled={action.pending}
                      onClick={() => verify(b.id)}
                    >
                      Verify
                    </button>
                  ) : null,
              },
            ]}
          />
        )}
      </QueryBlock>
      <h3 className={subheading}>Last recovery drill</h3>
      <QueryBlock query={drills} loading="Loading the drills…" isEmpty={() => false} empty="">
        {(d) => <DrillReport drills={d} />}
      </QueryBlock>
    </OpsSection>
  )
}
