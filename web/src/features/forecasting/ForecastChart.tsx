import { useMemo } from 'react'
import { dateOfSeconds, daySeconds, number, percent } from '../../lib/format.ts'
import { TimeChart, type TimeSeries } from '../../lib/TimeChart.tsx'
import type { Forecast } from './types.ts'

const SOLD = '#0f766e'
const FORECAST = '#b45309'
const BAND: [number, number][] = [[2, 3]]
const formatUnits = (v: number) => number(v, 1)

/** Units sold per day, then the forecast with its prediction interval as a shaded band. */
export function ForecastChart({ forecast, title }: { forecast: Forecast; title: string }) {
  const { times, series, banded } = useMemo(() => {
    const { history, points } = forecast
    const before = history.map(() => null)
    const after = points.map(() => null)
    const banded = points.some((p) => p.lower !== null && p.upper !== null)
    const interval = percent(forecast.level, 0)
    const series: TimeSeries[] = [
      { label: 'Sold', color: SOLD, values: [...history.map((h) => h.units), ...after] },
      { label: 'Forecast', color: FORECAST, dash: true, values: [...before, ...points.map((p) => p.value)] },
    ]
    if (banded)
      series.push(
        { label: `Upper ${interval}`, color: FORECAST, values: [...before, ...points.map((p) => p.upper)] },
        { label: `Lower ${interval}`, color: FORECAST, values: [...before, ...points.map((p) => p.lower)] },
      )
    const times = [...history.map((h) => daySeconds(h.day)), ...points.map((p) => daySeconds(p.day))]
    return { times, series, banded }
  }, [forecast])
  return (
    <TimeChart
      title={title}
      times={times}
      series={series}
      format={formatUnits}
      bands={banded ? BAND : undefined}
      timeFormat={dateOfSeconds}
    />
  )
}
