import { useQuery } from '@tanstack/react-query'
import { DataTable } from '../../components/DataTable.tsx'
import { KpiCard } from '../../components/KpiCard.tsx'
import { Section } from '../../components/Section.tsx'
import { api } from '../../lib/api.ts'
import { dateTime, number, percent } from '../../lib/format.ts'
import { useLiveRefresh } from '../../lib/live.ts'
import { DowntimeReasons } from './DowntimeReasons.tsx'

interface Oee {
  availability: number | null
  performance: number | null
  quality: number | null
  oee: number | null
}
interface Totals extends Oee {
  batches: number
  downtimeMinutes: number
  goodCount: number
  rejectedCount: number
}
interface OeeReport {
  plant: Totals
  lines: (Totals & { line: string })[]
}
interface Batch {
  id: string
  line: string
  sku: string
  lot: string
  status: string
  plannedQuantity: number
  goodCount: number
  rejectedCount: number
  plannedStart: string
  downtimeMinutes: number
  oee: Oee | null
}

/** OEE over the last 7 days for the plant and each line, downtime by reason, then the batches, latest first. */
export function ProductionPage() {
  const report = useQuery({
    queryKey: ['production', 'oee'],
    queryFn: () => api<OeeReport>('/api/production/oee?by=line'),
  })
  const batches = useQuery({
    queryKey: ['production', 'batches'],
    queryFn: () => api<{ items: Batch[] }>('/api/production/batches?limit=100'),
  })
  useLiveRefresh(['production.changed'], [['production']])
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold">Production</h1>
      <Section
        title="OEE, last 7 days"
        query={report}
        isEmpty={(r) => r.plant.batches === 0}
        empty="No batch completed in the last 7 days."
      >
        {(r) => (
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
            {[{ line: 'Plant', ...r.plant }, ...r.lines].map((t) => (
              <KpiCard
                key={t.line}
                label={`${t.line}: OEE`}
                value={percent(t.oee)}
                detail={`availability ${percent(t.availability)} · performance ${percent(t.performance)} · quality ${percent(t.quality)} · ${number(t.goodCount)} good, ${number(t.rejectedCount)} rejected, ${number(t.downtimeMinutes)} min down`}
              />
            ))}
          </div>
        )}
      </Section>
      <DowntimeReasons />
      <Section title="Batches" query={batches} isEmpty={(b) => b.items.length === 0} empty="No batches yet.">
        {(b) => (
          <DataTable
            caption="Production batches"
            rows={b.items}
            rowKey={(r) => r.id}
            columns={[
              { label: 'Planned start', render: (r) => dateTime(r.plannedStart) },
              { label: 'Line', render: (r) => r.line },
              { label: 'SKU', render: (r) => r.sku },
              { label: 'Lot', render: (r) => r.lot },
              { label: 'Status', render: (r) => r.status },
              { label: 'Planned', numeric: true, render: (r) => number(r.plannedQuantity) },
              { label: 'Good', numeric: true, render: (r) => number(r.goodCount) },
              { label: 'Rejected', numeric: true, render: (r) => number(r.rejectedCount) },
              { label: 'Downtime (min)', numeric: true, render: (r) => number(r.downtimeMinutes) },
              { label: 'OEE', numeric: true, render: (r) => percent(r.oee?.oee) },
            ]}
          />
        )}
      </Section>
    </div>
  )
}
