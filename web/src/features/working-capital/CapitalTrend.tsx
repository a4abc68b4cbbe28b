import { useMemo } from 'react'
import { dateOfSeconds, number } from '../../lib/format.ts'
import { TimeChart } from '../../lib/TimeChart.tsx'
import type { WorkingCapitalTrend } from './types.ts'

const formatDays = (v: number) => `${number(v, 0)} d`

/** DIO, DSO, DPO and CCC of each window, at the window's end; a window with no value is a gap. */
export function CapitalTrend({ trend }: { trend: WorkingCapitalTrend }) {
  const { times, series } = useMemo(
    () => ({
      times: trend.points.map((p) => Date.parse(p.to) / 1000),
      series: [
        { label: 'DIO', values: trend.points.map((p) => p.dio) },
        { label: 'DSO', values: trend.points.map((p) => p.dso) },
        { label: 'DPO', values: trend.points.map((p) => p.dpo) },
        { label: 'CCC', values: trend.points.map((p) => p.ccc) },
      ],
    }),
    [trend],
  )
  return (
    <div className="rounded-lg border border-stone-200 bg-white p-4 dark:border-stone-800 dark:bg-stone-900">
      <TimeChart
        title={`DIO, DSO, DPO and cash conversion cycle in days, each over the ${trend.windowDays} days before the date`}
        times={times}
        series={series}
        format={formatDays}
        timeFormat={dateOfSeconds}
      />
    </div>
  )
}
