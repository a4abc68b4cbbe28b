import type { PostmortemState, Severity, SlaState, Status } from './types.ts'

/** How the incident pages write severities, statuses, SLA states, times and durations. */

const locale = typeof navigator === 'undefined' ? 'en-GB' : navigator.language

const moment = new Intl.DateTimeFormat(locale, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
})

/** An instant in the reader's own locale and time zone, named. */
export const when = (iso: string) => moment.format(new Date(iso))

const unit = (value: number, name: 'day' | 'hour' | 'minute', display: 'narrow' | 'long' = 'narrow') =>
  new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: display }).format(value)

/** Whole minutes as "45m", "3h 5m", "1h", "2d 4h" (the reader's locale's short units). */
export function duration(minutes: number): string {
  if (minutes < 60) return unit(minutes, 'minute')
  const hours = Math.floor(minutes / 60)
  const [big, small] =
    hours < 24
      ? [unit(hours, 'hour'), minutes % 60 === 0 ? '' : unit(minutes % 60, 'minute')]
      : [unit(Math.floor(hours / 24), 'day'), hours % 24 === 0 ? '' : unit(hours % 24, 'hour')]
  return small ? `${big} ${small}` : big
}

export const STATUS_LABEL: Record<Status, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  mitigating: 'Mitigating',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
}

export const SEVERITY_BADGE: Record<Severity, string> = {
  P0: 'bg-red-700 text-white dark:bg-red-600',
  P1: 'bg-red-100 text-red-900 dark:bg-red-900/60 dark:text-red-100',
  P2: 'bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100',
  P3: 'bg-sky-100 text-sky-900 dark:bg-sky-900/60 dark:text-sky-100',
}

export const SLA_LABEL: Record<SlaState, string> = {
  pending: 'Response pending',
  met: 'Response met',
  breached: 'Response breached',
}

/** The shape beside the SLA's word, so the state never rests on colour alone. */
export const SLA_MARK: Record<SlaState, string> = { pending: '◷', met: '✓', breached: '✕' }

export const SLA_BADGE: Record<SlaState, string> = {
  pending: 'bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100',
  met: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100',
  breached: 'bg-red-100 text-red-900 dark:bg-red-900/60 dark:text-red-100',
}

export const POSTMORTEM_LABEL: Record<PostmortemState, string> = {
  missing: 'none yet',
  draft: 'draft',
  published: 'published',
}

/** Who the server's `type:id` actor label is; "you" for the reader, "the system" for none. */
export function who(label: string | null, meId: string | undefined): string {
  if (label === null) return 'the system'
  return meId && label === `user:${meId}` ? 'you' : label
}

/** The security checklist's phases by their key (`1h`, `24h`, `72h`) in words. */
export function phaseLabel(phase: string): string {
  const hours = /^(\d+)h$/.exec(phase)
  return hours ? `Within ${unit(Number(hours[1]), 'hour', 'long')} of detection` : phase
}
