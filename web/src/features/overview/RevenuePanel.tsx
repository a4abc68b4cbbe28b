import { useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { Empty, ErrorState, Loading } from '../../components/States.tsx'
import { api } from '../../lib/api.ts'
import { money } from '../../lib/format.ts'
import { TimeChart } from '../../lib/TimeChart.tsx'
import type { RevenueSeries } from './types.ts'

const RANGES = {
  week: { label: 'Hourly, 7 days', interval: 'hour', days: 7 },
  quarter: { label: 'Daily, 90 days', interval: 'day', days: 90 },
  year: { label: 'Hourly, 365 days', interval: 'hour', days: 365 },
} as const

type Range = keyof typeof RANGES
type By = 'channel' | 'market'

/** Revenue over time, one line per channel or market. */
export function RevenuePanel() {
  const [range, setRange] = useState<Range>('quarter')
  const [by, setBy] = useState<By>('channel')
  const query = useQuery({
    queryKey: ['kpis', 'revenue', range, by],
    queryFn: () => {
      const { interval, days } = RANGES[range]
      const to = new Date()
      const from = new Date(to.getTime() - days * 86_400_000)
      const params = new URLSearchParams({ interval, by, from: from.toISOString(), to: to.toISOString() })
      return api<RevenueSeries>(`/api/kpis/revenue?${params}`)
    },
  })
  const chart = useMemo(() => (query.data ? toColumns(query.data) : null), [query.data])
  const currency = query.data?.currency ?? 'GBP'
  const format = useMemo(() => (v: number) => money(v, currency, true), [currency])
  const select =
    'rounded-md border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-600 dark:bg-stone-900'
  return (
    <section className="rounded-lg border border-stone-200 bg-white p-4 dark:border-stone-800 dark:bg-stone-900">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="font-semibold">Revenue by {by}</h2>
        <div className="flex gap-2">
          <label className="text-sm">
            <span className="sr-only">Period</span>
            <select className={select} value={range} onChange={(e) => setRange(e.target.value as Range)}>
              {Object.entries(RANGES).map(([value, { label }]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm">
            <span className="sr-only">Split by</span>
            <select className={select} value={by} onChange={(e) => setBy(e.target.value as By)}>
              <option value="channel">By channel</option>
              <option value="market">By market</option>
            </select>
          </label>
        </div>
      </div>
      <div className="mt-4">
        {query.isPending ? (
          <Loading />
        ) : query.isError ? (
          <ErrorState error={query.error} retry={() => query.refetch()} />
        ) : !chart || chart.times.length === 0 ? (
          <Empty>No sales in this period.</Empty>
        ) : (
          <TimeChart
            title={`Revenue by ${by}, ${RANGES[range].label.toLowerCase()}`}
            times={chart.times}
            series={chart.series}
            format={format}
          />
        )}
      </div>
    </section>
  )
}

/** Points (time, key, revenue) to aligned columns: one time axis, one series per key (0 where absent). */
export function toColumns(data: RevenueSeries) {
  const times = [...new Set(data.points.map((p) => Date.parse(p.at) / 1000))].sort((a, b) => a - b)
  const index = new Map(times.map((t, i) => [t, i]))
  const byKey = new Map<string, number[]>()
  for (const point of data.points) {
    let values = byKey.get(point.key)
    if (!values) {
      values = new Array(times.length).fill(0)
      byKey.set(point.key, values)
    }
    const i = index.get(Date.parse(point.at) / 1000)!
    values[i] = (values[i] ?? 0) + point.revenue
  }
  const series = [...byKey.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, values]) => ({ label, values }))
  return { times, series }
}
