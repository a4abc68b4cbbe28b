import { percent } from '../lib/format.ts'

/** A figure with its change against the previous period and, optionally, a sparkline. */
export function KpiCard(props: {
  label: string
  value: string
  change?: number | null
  /** What the change is measured against, shown after it ("vs yesterday"). */
  against?: string
  trend?: number[]
  detail?: string
}) {
  const { change } = props
  const tone =
    change === undefined || change === null
      ? 'text-stone-500 dark:text-stone-400'
      : change >= 0
        ? 'text-emerald-700 dark:text-emerald-400'
        : 'text-red-700 dark:text-red-400'
  return (
    <section className="rounded-lg border border-stone-200 bg-white p-4 dark:border-stone-800 dark:bg-stone-900">
      <h2 className="text-sm font-medium text-stone-600 dark:text-stone-400">{props.label}</h2>
      <p className="mt-1 text-2xl font-semibold tabular-nums">{props.value}</p>
      <div className="mt-1 flex items-end justify-between gap-2">
        {change !== undefined && (
          <p className={`text-sm tabular-nums ${tone}`}>
            {change === null
              ? 'no previous period'
              : `${change >= 0 ? '▲' : '▼'} ${percent(Math.abs(change))}`}
            {change !== null && props.against && (
              <span className="text-stone-500 dark:text-stone-400"> {props.against}</span>
            )}
          </p>
        )}
        {props.trend && props.trend.length > 1 && <Sparkline values={props.trend} />}
      </div>
      {props.detail && <p className="mt-1 text-xs text-stone-600 dark:text-stone-400">{props.detail}</p>}
    </section>
  )
}

/** A small line of the values, evenly spaced; decorative (the figure beside it says the value). */
export function Sparkline({ values }: { values: number[] }) {
  const width = 96
  const height = 28
  const max = Math.max(...values)
  const min = Math.min(...values)
  const span = max - min || 1
  const points = values
    .map(
      (v, i) =>
        `${((i / (values.length - 1)) * width).toFixed(1)},${(height - ((v - min) / span) * height).toFixed(1)}`,
    )
    .join(' ')
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      aria-hidden="true"
      className="text-amber-700 dark:text-amber-400"
    >
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  )
}
