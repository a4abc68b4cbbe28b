import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import { useDarkMode } from '../app/theme.ts'

const PALETTE = ['#b45309', '#0f766e', '#7c3aed', '#be123c', '#1d4ed8', '#4d7c0f', '#a16207', '#334155']

const DAY_SECONDS = 86_400
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' })
const monthOnly = new Intl.DateTimeFormat(undefined, { month: 'short' })
const yearOnly = new Intl.DateTimeFormat(undefined, { year: 'numeric' })
const hourMinute = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

/**
 * Time-axis labels in the reader's locale and time zone (uPlot's own are US-style, 6/9): months
 * (with the year under the first and under January), days (9 Jun), or hours with the day under
 * midnight and the first tick.
 */
function timeTicks(_: uPlot, ticks: number[], _axis: number, _space: number, step: number): string[] {
  return ticks.map((seconds, i) => {
    const at = new Date(seconds * 1000)
    if (step >= 28 * DAY_SECONDS)
      return i === 0 || at.getMonth() === 0
        ? `${monthOnly.format(at)}\n${yearOnly.format(at)}`
        : monthOnly.format(at)
    if (step >= DAY_SECONDS)
      return i === 0 ? `${dayMonth.format(at)}\n${yearOnly.format(at)}` : dayMonth.format(at)
    const midnight = at.getHours() === 0 && at.getMinutes() === 0
    return i === 0 || midnight ? `${hourMinute.format(at)}\n${dayMonth.format(at)}` : hourMinute.format(at)
  })
}

export interface TimeSeries {
  label: string
  values: (number | null)[]
  /** A colour of its own instead of the next one of the palette. */
  color?: string
  /** Dashed, e.g. for a forecast or an interval's edges. */
  dash?: boolean
}

/**
 * A time chart on uPlot (canvas): fast with a year of hourly points, with a cursor legend as the
 * tooltip. `times` are epoch seconds; the chart follows its container's width. `bands` fill
 * between two series (indexes into `series`, the upper first), e.g. a prediction interval;
 * `timeFormat` writes the cursor's time in the legend (uPlot's own shows a time of day).
 */
export function TimeChart(props: {
  times: number[]
  series: TimeSeries[]
  format: (value: number) => string
  height?: number
  title: string
  bands?: [upper: number, lower: number][]
  timeFormat?: (seconds: number) => string
}) {
  const box = useRef<HTMLDivElement>(null)
  const { times, series, format, height = 280, title, bands, timeFormat } = props
  const dark = useDarkMode()
  useEffect(() => {
    const element = box.current
    if (!element) return
    const axis = { stroke: dark ? '#d6d3d1' : '#44403c', grid: { stroke: dark ? '#292524' : '#e7e5e4' } }
    const colorOf = (i: number) => series[i]?.color ?? PALETTE[i % PALETTE.length]!
    const chart = new uPlot(
      {
        width: element.clientWidth,
        height,
        series: [
          timeFormat ? { value: (_: uPlot, v: number | null) => (v === null ? '—' : timeFormat(v)) } : {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: colorOf(i),
            width: 1.5,
            ...(s.dash ? { dash: [6, 4] } : {}),
            value: (_: uPlot, v: number | null) => (v === null ? '—' : format(v)),
          })),
        ],
        ...(bands
          ? {
              bands: bands.map(([upper, lower]) => ({
                series: [upper + 1, lower + 1] as [number, number],
                fill: `${colorOf(upper)}33`,
              })),
            }
          : {}),
        axes: [
          { ...axis, space: 64, values: timeTicks },
          { ...axis, size: 70, values: (_: uPlot, ticks: number[]) => ticks.map(format) },
        ],
        scales: { x: { time: true } },
      },
      [times, ...series.map((s) => s.values)] as uPlot.AlignedData,
      element,
    )
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height }))
    resize.observe(element)
    return () => {
      resize.disconnect()
      chart.destroy()
    }
  }, [times, series, format, height, dark, bands, timeFormat])
  return <div ref={box} role="img" aria-label={title} className="w-full" />
}
