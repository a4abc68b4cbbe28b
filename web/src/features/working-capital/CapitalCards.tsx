import { KpiCard } from '../../components/KpiCard.tsx'
import { money, number } from '../../lib/format.ts'
import type { WorkingCapital } from './types.ts'

export const daysText = (value: number | null) => (value === null ? '—' : `${number(value, 1)} days`)

/** DIO, DSO, DPO and the cash conversion cycle, each with its inputs or why it has no value. */
export function CapitalCards({ report }: { report: WorkingCapital }) {
  const cur = report.currency
  const window = `${number(report.windowDays)} days`
  const noCogs = `No cost of goods sold in the last ${window}, so there is nothing to divide by.`
  return (
    <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
      <KpiCard
        label="Days inventory outstanding (DIO)"
        value={daysText(report.dio)}
        detail={
          report.dio === null
            ? noCogs
            : `average stock ${money(report.averageInventory, cur)} at cost over ${money(report.cogs, cur)} cost of goods sold`
        }
      />
      <KpiCard
        label="Days sales outstanding (DSO)"
        value={daysText(report.dso)}
        detail={
          report.dso === null
            ? `No revenue in the last ${window}, so there is nothing to divide by.`
            : `average receivables ${money(report.averageReceivables, cur)} over ${money(report.revenue, cur)} revenue`
        }
      />
      <KpiCard
        label="Days payables outstanding (DPO)"
        value={daysText(report.dpo)}
        detail={
          report.dpo === null
            ? noCogs
            : `average payables ${money(report.averagePayables, cur)} over ${money(report.cogs, cur)} cost of goods sold`
        }
      />
      <KpiCard
        label="Cash conversion cycle (CCC)"
        value={daysText(report.ccc)}
        detail={
          report.ccc === null
            ? 'DIO + DSO − DPO: no value while one of them has none.'
            : 'DIO + DSO − DPO: days between paying suppliers and being paid'
        }
      />
    </div>
  )
}
