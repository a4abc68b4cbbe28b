import { SEVERITY_BADGE, SLA_BADGE, SLA_LABEL, SLA_MARK, STATUS_LABEL, when } from './show.ts'
import type { Incident, Severity, Status } from './types.ts'

const pill = 'inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap'

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`${pill} ${SEVERITY_BADGE[severity]}`}>{severity}</span>
}

export function StatusBadge({ status }: { status: Status }) {
  return (
    <span
      className={`${pill} border border-stone-300 text-stone-800 dark:border-stone-600 dark:text-stone-200`}
    >
      {STATUS_LABEL[status]}
    </span>
  )
}

/** The response SLA in words and a shape, with when it was (or is) due. */
export function SlaBadge({ sla }: { sla: Incident['sla'] }) {
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      <span className={`${pill} ${SLA_BADGE[sla.state]}`} data-sla={sla.state}>
        <span aria-hidden="true">{SLA_MARK[sla.state]}</span>
        <span>{SLA_LABEL[sla.state]}</span>
      </span>
      <span className="text-xs text-stone-600 dark:text-stone-400">
        due <time dateTime={sla.dueAt}>{when(sla.dueAt)}</time>
      </span>
    </span>
  )
}

/** A plain outlined badge: security, acknowledged, overdue. */
export function Badge({ children, tone }: { children: string; tone?: 'warn' }) {
  const colour =
    tone === 'warn'
      ? 'border-red-300 text-red-900 dark:border-red-700 dark:text-red-200'
      : 'border-stone-300 text-stone-800 dark:border-stone-600 dark:text-stone-200'
  return <span className={`${pill} border ${colour}`}>{children}</span>
}
