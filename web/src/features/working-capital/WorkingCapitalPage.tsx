import { useState } from 'react'
import { Section } from '../../components/Section.tsx'
import { dateTime, number } from '../../lib/format.ts'
import { CapitalCards } from './CapitalCards.tsx'
import { CapitalTrend } from './CapitalTrend.tsx'
import { OpenItems } from './OpenItems.tsx'
import { TREND, useWorkingCapital, useWorkingCapitalTrend } from './useWorkingCapital.ts'

const WINDOWS = [30, 90, 365]
const input =
  'rounded-md border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-600 dark:bg-stone-900'

/** Working-capital days now and over time, and the open receivables and payables behind them. */
export function WorkingCapitalPage() {
  const [days, setDays] = useState(90)
  const report = useWorkingCapital(days)
  const trend = useWorkingCapitalTrend(days)
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div className="space-y-1">
          <h1 className="text-2xl font-semibold">Working capital</h1>
          {report.data && (
            <p className="text-sm text-stone-600 dark:text-stone-400">
              The {number(report.data.windowDays)} days to {dateTime(report.data.to)} · amounts in{' '}
              {report.data.currency}
            </p>
          )}
        </div>
        <label className="flex flex-col text-sm">
          Window
          <select className={input} value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {WINDOWS.map((d) => (
              <option key={d} value={d}>
                {d} days
              </option>
            ))}
          </select>
        </label>
      </div>
      <Section title="Now" query={report} isEmpty={() => false} empty="">
        {(r) => <CapitalCards report={r} />}
      </Section>
      <Section
        title="Trend"
        description={`Each point covers the ${days} days before its date; one point every ${TREND.step} days, ${TREND.points} in all, the last one now.`}
        query={trend}
        isEmpty={(t) => t.points.every((p) => p.dio === null && p.dso === null && p.dpo === null)}
        empty="No sales in these windows yet, so none of the figures has a value."
      >
        {(t) => <CapitalTrend trend={t} />}
      </Section>
      <OpenItems kind="receivables" title="Receivables" counterparty="Customer" />
      <OpenItems kind="payables" title="Payables" counterparty="Supplier" />
    </div>
  )
}
