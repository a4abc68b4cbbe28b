import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import { useDarkMode } from '../app/theme.ts'

const PALETTE = ['#b45309', '#0f766e', '#7c3aed', '#be123c', '#1d4ed8', '#4d7c0f', '#a16207', '#334155']

export interface TimeSeries {
  label: string
  values: (number | null)[]
}

/**
 * A time chart on uPlot (canvas): fast with a year of hourly points, with a cursor legend as the
 * tooltip. `times` are epoch seconds; the chart follows its container's width.
 */
export function TimeChart(props: {
  times: number[]
  series: TimeSeries[]
  format: (value: number) => string
  height?: number
  title: string
}) {
  const box = useRef<HTMLDivElement>(null)
  const { times, series, format, height = 280, title } = props
  const dark = useDarkMode()
  useEffect(() => {
    const element = box.current
    if (!element) return
    const axis = { stroke: dark ? '#d6d3d1' : '#44403c', grid: { stroke: dark ? '#292524' : '#e7e5e4' } }
    const chart = new uPlot(
      {
        width: element.clientWidth,
        height,
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: PALETTE[i % PALETTE.length],
            width: 1.5,
            value: (_: uPlot, v: number | null) => (v === null ? '—' : format(v)),
          })),
        ],
        axes: [axis, { ...axis, size: 70, values: (_: uPlot, ticks: number[]) => ticks.map(format) }],
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
  }, [times, series, format, height, dark])
  return <div ref={box} role="img" aria-label={title} className="w-full" />
}
