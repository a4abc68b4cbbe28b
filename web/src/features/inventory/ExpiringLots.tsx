import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { DataTable } from '../../components/DataTable.tsx'
import { Section } from '../../components/Section.tsx'
import { api } from '../../lib/api.ts'
import { day, number } from '../../lib/format.ts'

interface ExpiringLot {
  sku: string
  name: string
  location: string
  lot: string
  quantity: number
  expiresOn: string
  daysLeft: number
}
interface ExpiringList {
  asOf: string
  days: number
  items: ExpiringLot[]
}

const WINDOWS = [30, 60, 90, 180, 365]

function DaysLeft({ days }: { days: number }) {
  if (days < 0)
    return <span className="font-medium text-red-700 dark:text-red-400">expired {number(-days)} d ago</span>
  const tone = days <= 7 ? 'font-medium text-amber-800 dark:text-amber-300' : ''
  return <span className={tone}>{days === 0 ? 'today' : `${number(days)} d`}</span>
}

/** Lots with stock left that expire within the chosen window (or have expired), soonest first. */
export function ExpiringLots() {
  const [days, setDays] = useState(30)
  const expiring = useQuery({
    queryKey: ['inventory', 'expiring', days],
    queryFn: () => api<ExpiringList>(`/api/inventory/expiring?days=${days}`),
  })
  return (
    <Section
      title="Expiring lots"
      description="Stock left per lot and location. Sales name no lot, so they are taken to have used the oldest stock first."
      query={expiring}
      isEmpty={(data) => data.items.length === 0}
      empty={`No lot with stock left expires within ${days} days.`}
      actions={
        <label className="flex items-center gap-2 text-sm">
          <span className="text-stone-600 dark:text-stone-400">Expiring within</span>
          <select
            value={days}
            onChange={(event) => setDays(Number(event.target.value))}
            className="rounded-md border border-stone-300 bg-white px-2 py-1 dark:border-stone-700 dark:bg-stone-900"
          >
            {WINDOWS.map((n) => (
              <option key={n} value={n}>
                {n} days
              </option>
            ))}
          </select>
        </label>
      }
    >
      {(data) => (
        <DataTable
          caption="Expiring lots"
          rows={data.items}
          rowKey={(r) => `${r.sku}@${r.location}#${r.lot}`}
          columns={[
            { label: 'Expires', render: (r) => day(r.expiresOn) },
            { label: 'Days left', numeric: true, render: (r) => <DaysLeft days={r.daysLeft} /> },
            { label: 'SKU', render: (r) => `${r.sku} · ${r.name}` },
            { label: 'Location', render: (r) => r.location },
            { label: 'Lot', render: (r) => r.lot },
            { label: 'Quantity', numeric: true, render: (r) => number(r.quantity) },
          ]}
        />
      )}
    </Section>
  )
}
