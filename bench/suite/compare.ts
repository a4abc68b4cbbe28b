/**
 * Comparing a run's headline figures with the previous run's. The machine is shared and noisy, so
 * the figures that matter are ratios measured within one run (app ÷ bare server, product ÷ plain
 * tool); those are compared as they are, by their relative change. Pure: no I/O.
 */
import type { Figure } from './figures.ts'

export const DEFAULT_THRESHOLD_PERCENT = 10

export interface Comparison {
  bench: string
  name: string
  unit: string
  value: number
  previous: number
  /** (value − previous) ÷ |previous| in percent; null when previous is 0. */
  changePercent: number | null
  /** Worse by more than the threshold, in the direction the figure is better in. */
  regression: boolean
  /** Better by more than the threshold. */
  improvement: boolean
}

/** Each figure present (by name) in both runs, with its change; figures of one run only are left out. */
export function compareFigures(
  current: Figure[],
  previous: Figure[],
  thresholdPercent = DEFAULT_THRESHOLD_PERCENT,
): Comparison[] {
  const before = new Map(previous.map((figure) => [figure.name, figure]))
  const rows: Comparison[] = []
  for (const figure of current) {
    const old = before.get(figure.name)
    if (!old) continue
    const changePercent =
      old.value === 0 ? null : Math.round(((figure.value - old.value) / Math.abs(old.value)) * 1000) / 10
    // Positive when the figure got better, whichever direction that is.
    const gain = changePercent === null ? 0 : figure.better === 'higher' ? changePercent : -changePercent
    rows.push({
      bench: figure.bench,
      name: figure.name,
      unit: figure.unit,
      value: figure.value,
      previous: old.value,
      changePercent,
      regression: gain < -thresholdPercent,
      improvement: gain > thresholdPercent,
    })
  }
  return rows
}

/** "+12.5%", "−3.0%", "±0.0%", or "n/a" when there is no ratio to give. */
export function formatChange(changePercent: number | null): string {
  if (changePercent === null) return 'n/a'
  if (changePercent === 0) return '±0.0%'
  return `${changePercent > 0 ? '+' : '−'}${Math.abs(changePercent).toFixed(1)}%`
}

/** A number for people: thousands grouped when large, a few significant digits when small. */
export function formatValue(value: number): string {
  const size = Math.abs(value)
  if (size >= 1000) return Math.round(value).toLocaleString('en-GB')
  if (size >= 100) return value.toFixed(0)
  if (size >= 10) return value.toFixed(1)
  if (size >= 0.1) return value.toFixed(2)
  if (size === 0) return '0'
  return value.toPrecision(2)
}

export function formatFigure(value: number, unit: string): string {
  return unit === '%' || unit === '×' ? `${formatValue(value)}${unit}` : `${formatValue(value)} ${unit}`
}

/** Lines for the terminal: every compared figure, regressions marked. */
export function comparisonLines(rows: Comparison[], thresholdPercent: number): string[] {
  if (rows.length === 0) return ['no figure in common with the previous run']
  const regressions = rows.filter((row) => row.regression)
  const lines = rows.map((row) => {
    const mark = row.regression ? 'REGRESSION' : row.improvement ? 'better' : ''
    return `  ${row.name}: ${formatFigure(row.previous, row.unit)} → ${formatFigure(row.value, row.unit)} (${formatChange(row.changePercent)}) ${mark}`.trimEnd()
  })
  lines.push(
    regressions.length === 0
      ? `no regression beyond ${thresholdPercent}%`
      : `${regressions.length} regression${regressions.length === 1 ? '' : 's'} beyond ${thresholdPercent}%: ${regressions.map((row) => row.name).join(', ')}`,
  )
  return lines
}
