import { useState } from 'react'
import { DataTable } from '../../components/DataTable.tsx'
import { Section } from '../../components/Section.tsx'
import { Empty, ErrorState, Loading } from '../../components/States.tsx'
import { day, number } from '../../lib/format.ts'
import { ForecastChart } from './ForecastChart.tsx'
import { ForecastSummary } from './ForecastSummary.tsx'
import type { Forecast, ForecastChoice } from './types.ts'
import { useChoices, useForecast } from './useForecast.ts'

const HORIZONS = [14, 28, 56, 90]
const input =
  'rounded-md border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-600 dark:bg-stone-900'

/** Daily demand per SKU × channel: the history, the forecast with its interval, and its accuracy. */
export function ForecastingPage() {
  const { products, channels } = useChoices()
  const [picked, setPicked] = useState<Partial<ForecastChoice>>({})
  const firstSku = products.data?.items[0]?.sku
  const choice: ForecastChoice | null =
    (picked.sku ?? firstSku)
      ? { sku: picked.sku ?? firstSku!, channel: picked.channel ?? '', horizon: picked.horizon ?? 28 }
      : null
  const forecast = useForecast(choice)
  const set = (patch: Partial<ForecastChoice>) => setPicked((current) => ({ ...current, ...patch }))

  if (products.isPending) return <Loading label="Loading products…" />
  if (products.isError) return <ErrorState error={products.error} retry={() => products.refetch()} />
  if (!choice) return <Empty>No finished products in the catalog yet, so there is nothing to forecast.</Empty>
  const productName = products.data.items.find((p) => p.sku === choice.sku)?.name ?? choice.sku
  const channelName = channels.data?.items.find((c) => c.code === choice.channel)?.name ?? choice.channel
  const subject = `${productName}, ${choice.channel ? channelName : 'all channels'}`
  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold">Forecasting</h1>
        <p className="text-sm text-stone-600 dark:text-stone-400">
          Units sold per day over the last year and the forecast from the model that history supports.
        </p>
      </div>
      <form
        className="flex flex-wrap items-end gap-3"
        aria-label="Forecast"
        onSubmit={(e) => e.preventDefault()}
      >
        <label className="flex flex-col text-sm">
          Product
          <select className={input} value={choice.sku} onChange={(e) => set({ sku: e.target.value })}>
            {products.data.items.map((p) => (
              <option key={p.sku} value={p.sku}>
                {p.sku} · {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          Channel
          <select className={input} value={choice.channel} onChange={(e) => set({ channel: e.target.value })}>
            <option value="">All channels</option>
            {channels.data?.items.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          Days ahead
          <select
            className={input}
            value={choice.horizon}
            onChange={(e) => set({ horizon: Number(e.target.value) })}
          >
            {HORIZONS.map((h) => (
              <option key={h} value={h}>
                {h} days
              </option>
            ))}
          </select>
        </label>
      </form>
      {channels.isError && <ErrorState error={channels.error} retry={() => channels.refetch()} />}
      <Section
        title={`Demand: ${subject}`}
        query={forecast}
        isEmpty={(f) => f.historyDays === 0}
        empty={`No sales of ${productName} through ${choice.channel ? channelName : 'any channel'} in the last year: nothing to forecast from.`}
      >
        {(f) => <ForecastResult forecast={f} subject={subject} />}
      </Section>
    </div>
  )
}

function ForecastResult({ forecast, subject }: { forecast: Forecast; subject: string }) {
  return (
    <div className="space-y-6">
      <ForecastSummary forecast={forecast} />
      <div className="rounded-lg border border-stone-200 bg-white p-4 dark:border-stone-800 dark:bg-stone-900">
        <ForecastChart forecast={forecast} title={`Units sold and forecast per day: ${subject}`} />
      </div>
      <DataTable
        caption="Forecast points"
        rows={forecast.points}
        rowKey={(p) => p.day}
        columns={[
          { label: 'Day', render: (p) => day(p.day) },
          { label: 'Forecast (units)', numeric: true, render: (p) => number(p.value, 1) },
          { label: 'Lower', numeric: true, render: (p) => number(p.lower, 1) },
          { label: 'Upper', numeric: true, render: (p) => number(p.upper, 1) },
        ]}
      />
    </div>
  )
}
