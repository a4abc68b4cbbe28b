/** Tones of a verdict; the word and the shape beside it carry it too, never the colour alone. */
export const TONE = {
  good: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100',
  bad: 'bg-red-100 text-red-900 dark:bg-red-900/60 dark:text-red-100',
  warn: 'bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100',
  none: 'bg-stone-200 text-stone-800 dark:bg-stone-700 dark:text-stone-100',
} as const

const MARK: Record<keyof typeof TONE, string> = { good: '●', bad: '■', warn: '▲', none: '○' }

/** A verdict in words with a shape beside it: "● Good", "■ Missed". */
export function Pill({ tone, label }: { tone: keyof typeof TONE; label: string }) {
  return (
    <span
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${TONE[tone]}`}
    >
      <span aria-hidden="true">{MARK[tone]}</span>
      <span>{label}</span>
    </span>
  )
}

/** Whether a measured figure met its objective: met, missed, or not measured. */
export function MetPill({ met }: { met: boolean | null }) {
  if (met === null) return <Pill tone="none" label="not measured" />
  return met ? <Pill tone="good" label="met" /> : <Pill tone="bad" label="missed" />
}
