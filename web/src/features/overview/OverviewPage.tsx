import { useQuery } from '@tanstack/react-query'
import { KpiCard } from '../../components/KpiCard.tsx'
import { ErrorState, Loading } from '../../components/States.tsx'
import { api } from '../../lib/api.ts'
import { dateTime, money, number, percent } from '../../lib/format.ts'
import { useLiveRefresh } from '../../lib/live.ts'
import { RevenuePanel, toColumns } from './RevenuePanel.tsx'
import type { Overview, RevenueSeries } from './types.ts'

/** Daily revenue over the last 14 days, summed over channels: the cards' sparkline. */
function useDailyTrend() {
  return useQuery({
    queryKey: ['kpis', 'trend'],
    queryFn: () => {
      const to = new Date()
      const from = new Date(to.getTime() - 14 * 86_400_000)
      const params = new URLSearchParams({
        interval: 'day',
        by: 'market',
        from: from.toISOString(),
        to: to.toISOString(),
      })
      return api<RevenueSeries>(`/api/kpis/revenue?${params}`)
    },
    select: (data) => {
      const { series } = toColumns(data)
      return series.reduce<number[]>((sum, s) => s.values.map((v, i) => (v ?? 0) + (sum[i] ?? 0)), [])
    },
  })
}

export function OverviewPage() {
  const overview = useQuery({
    queryKey: ['kpis', 'overview'],
    queryFn: () => api<Overview>('/api/kpis/overview'),
  })
  const trend = useDailyTrend()
  useLiveRefresh(['order.created', 'order.status', 'stock.changed', 'production.changed'], [['kpis']])

  // The revenue chart loads beside the cards, not after them.
  return (
    <div className="space-y-6">
      {overview.isPending ? (
        <Loading label="Loading the overview…" />
      ) : overview.isError ? (
        <ErrorState error={overview.error} retry={() => overview.refetch()} />
      ) : (
        <Figures o={overview.data} trend={trend.data} />
      )}
      <RevenuePanel />
    </div>
  )
}

/** The heading and the KPI cards. */
function Figures({ o, trend }: { o: Overview; trend: number[] | undefined }) {
  const { today, last7Days, last30Days } = o.revenue
  const cur = o.currency
  return (
    <>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">Overview</h1>
        <p className="text-sm text-stone-500 dark:text-stone-400">
          As of {dateTime(o.at)} · amounts in {cur}
        </p>
      </div>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <KpiCard
          label="Revenue today"
          value={money(today.revenue, cur)}
          change={today.revenueChange}
          against="vs yesterday to this hour"
        />
        <KpiCard
          label="Revenue, 7 days"
          value={money(last7Days.revenue, cur)}
          change={last7Days.revenueChange}
          against="vs prior 7 days"
          trend={trend}
        />
        <KpiCard
          label="Revenue, 30 days"
          value={money(last30Days.revenue, cur)}
          change={last30Days.revenueChange}
          against="vs prior 30 days"
        />
        <KpiCard
          label="Orders, 30 days"
          value={number(last30Days.orders)}
          change={changeOf(last30Days.orders, last30Days.previous.orders)}
          against="vs prior 30 days"
        />
        <KpiCard
          label="Average order, 30 days"
          value={money(last30Days.averageOrderValue, cur)}
          change={changeOf(last30Days.averageOrderValue, last30Days.previous.averageOrderValue)}
          against="vs prior 30 days"
        />
        <KpiCard label="Units sold, 30 days" value={number(o.units30Days)} />
        <KpiCard label="Gross margin, 30 days" value={percent(o.grossMargin30Days)} />
        <KpiCard label="Conversion, 24 hours" value={percent(o.conversion24Hours, 2)} />
        <KpiCard label="Critical stock items" value={number(o.criticalItems)} />
        <KpiCard label="OEE, 7 days" value={percent(o.production7Days.oee)} />
        <KpiCard label="Good units produced, 7 days" value={number(o.production7Days.goodUnits)} />
        <KpiCard
          label="Cash conversion cycle"
          value={o.cashConversionCycleDays === null ? '—' : `${number(o.cashConversionCycleDays, 1)} days`}
        />
      </div>
    </>
  )
}

function changeOf(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null
  return (current - previous) / previous
}
