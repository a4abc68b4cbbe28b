import { SEVERITY_BADGE, STATE_BADGE, STATE_LABEL, STATE_MARK } from './show.ts'
import type { Severity, TileState } from './types.ts'

/** A tile's state in words with a shape beside it, so it never rests on colour alone. */
export function StateBadge({ state }: { state: TileState }) {
  return (
    <span
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${STATE_BADGE[state]}`}
    >
      <span aria-hidden="true">{STATE_MARK[state]}</span>
      <span>{STATE_LABEL[state]}</span>
    </span>
  )
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${SEVERITY_BADGE[severity]}`}>
      {severity}
    </span>
  )
}

/** A plain outlined badge: an alert's state, acknowledged, silenced. */
export function Badge({ children }: { children: string }) {
  return (
    <span className="rounded-full border border-stone-300 px-2 py-0.5 text-xs text-stone-800 dark:border-stone-600 dark:text-stone-200">
      {children}
    </span>
  )
}
