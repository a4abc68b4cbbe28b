import { DataTable } from '../../components/DataTable.tsx'
import { number } from '../../lib/format.ts'
import {
  type CheckState,
  type Deployment,
  type DeploymentsPage,
  type Release,
  useDeployments,
} from './deployment-hooks.ts'
import { OpsSection, QueryBlock } from './QueryBlock.tsx'
import { when } from './show.ts'

const CHECK: Record<CheckState, { label: string; mark: string; tone: string }> = {
  ok: {
    label: 'OK',
    mark: '●',
    tone: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100',
  },
  regressed: {
    label: 'Regressed',
    mark: '■',
    tone: 'bg-red-100 text-red-900 dark:bg-red-900/60 dark:text-red-100',
  },
  pending: {
    label: 'Pending',
    mark: '○',
    tone: 'bg-stone-200 text-stone-800 dark:bg-stone-700 dark:text-stone-100',
  },
  insufficient_data: {
    label: 'Not enough traffic',
    mark: '–',
    tone: 'bg-stone-100 text-stone-700 dark:bg-stone-800 dark:text-stone-200',
  },
  skipped: {
    label: 'Not checked',
    mark: '–',
    tone: 'bg-stone-100 text-stone-700 dark:bg-stone-800 dark:text-stone-200',
  },
}

/** The check's verdict in words with a shape beside it, so it never rests on colour alone. */
function CheckBadge({ state }: { state: CheckState }) {
  const { label, mark, tone } = CHECK[state]
  return (
    <span className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${tone}`}>
      <span aria-hidden="true">{mark}</span>
      <span>{label}</span>
    </span>
  )
}

const minutes = (n: number) => (n === 1 ? 'minute' : `${number(n)} minutes`)

const short = (commit: string | null) => commit?.slice(0, 12) ?? null

/** A release as people name it: "3.0.0 (c0ffee30)". */
const releaseName = (release: Release | Deployment) =>
  release.commit ? `${release.version} (${short(release.commit)})` : release.version

function RollbackTarget({ to }: { to: Release | null }) {
  if (!to) return <span>No earlier good release is known.</span>
  return (
    <span>
      Roll back to <strong className="font-semibold">{releaseName(to)}</strong>
    </span>
  )
}

/** The check's verdict with what regressed and where to roll back, or why there is none. */
function Verdict({ deployment, page }: { deployment: Deployment; page: DeploymentsPage }) {
  const { check } = deployment
  const { windowMinutes } = page.detector
  let note: string | null = null
  if (check.state === 'pending')
    note =
      deployment.status === 'started'
        ? 'waiting for the deployment to finish'
        : `checked ${windowMinutes} min after it finished`
  else if (check.state !== 'regressed' && check.state !== 'ok') note = check.summary
  return (
    <div className="flex flex-col items-start gap-1" data-check={check.state}>
      <CheckBadge state={check.state} />
      {check.state === 'regressed' && (
        <p className="text-xs text-red-900 dark:text-red-200">
          {check.summary}. <RollbackTarget to={check.rollbackTo} />
        </p>
      )}
      {note && <p className="text-xs text-stone-600 dark:text-stone-400">{note}</p>}
    </div>
  )
}

/** The current release of this instance's environment, when the check found it regressed. */
function CurrentRegression({ page }: { page: DeploymentsPage }) {
  const current = page.items.find(
    (d) => d.environment === page.detector.environment && d.status === 'succeeded',
  )
  if (current?.check.state !== 'regressed') return null
  return (
    <div
      data-regression-callout
      className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-950 dark:border-red-800 dark:bg-red-950 dark:text-red-50"
    >
      <p className="font-semibold">
        <span aria-hidden="true">■ </span>
        Release {releaseName(current)} regressed after its deployment on {when(current.startedAt)}
      </p>
      <p>
        {current.check.summary}. <RollbackTarget to={current.check.rollbackTo} />
        {current.check.rollbackTo && ', then record the rollback (kind rollback).'}
      </p>
    </div>
  )
}

/** Recent deployments and rollbacks with the regression check's verdict on each. */
export function DeploymentsPanel() {
  const deployments = useDeployments()
  const detector = deployments.data?.detector
  return (
    <OpsSection
      id="deployments"
      title="Deployments"
      description={
        detector
          ? `Error rate and p95 response time over the ${minutes(detector.windowMinutes)} after each deployment of ${detector.environment}, against the ${minutes(detector.windowMinutes)} before; at least ${number(detector.minRequests)} responses in each. The charts above mark them.`
          : undefined
      }
    >
      <QueryBlock
        query={deployments}
        loading="Loading the deployments…"
        isEmpty={(d) => d.items.length === 0}
        empty="No deployments recorded yet."
      >
        {(page) => (
          <div className="space-y-3">
            <CurrentRegression page={page} />
            <DataTable
              caption="Recent deployments"
              rows={page.items}
              rowKey={(d) => d.id}
              columns={[
                { label: 'When', render: (d) => <time dateTime={d.startedAt}>{when(d.startedAt)}</time> },
                {
                  label: 'Release',
                  render: (d) => (
                    <span>
                      <span className="font-medium">{d.version}</span>
                      {d.commit && (
                        <span className="ml-1 font-mono text-xs text-stone-600 dark:text-stone-400">
                          {short(d.commit)}
                        </span>
                      )}
                    </span>
                  ),
                },
                { label: 'Regression check', render: (d) => <Verdict deployment={d} page={page} /> },
                {
                  label: 'Kind',
                  render: (d) =>
                    d.kind === 'rollback'
                      ? `rollback${d.rollsBack ? ` of ${d.rollsBack.version}` : ''}`
                      : 'deploy',
                },
                { label: 'Status', render: (d) => d.status },
                { label: 'Environment', render: (d) => d.environment },
              ]}
            />
          </div>
        )}
      </QueryBlock>
    </OpsSection>
  )
}
