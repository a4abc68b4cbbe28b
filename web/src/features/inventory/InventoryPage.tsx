import { useQuery } from '@tanstack/react-query'
import { DataTable } from '../../components/DataTable.tsx'
import { Section } from '../../components/Section.tsx'
import { api } from '../../lib/api.ts'
import { dateTime, number } from '../../lib/format.ts'
import { useLiveRefresh } from '../../lib/live.ts'
import { ExpiringLots } from './ExpiringLots.tsx'

interface Page<T> {
  items: T[]
}
interface Critical {
  sku: string
  name: string
  location: string
  available: number
  safetyStock: number
  reorderPoint: number
  daysOfCover: number | null
  projectedStockoutDate: string | null
  reasons: string[]
}
interface Suggestion {
  sku: string
  name: string
  location: string
  quantity: number
  inputs: { forecastDemand: number; openPurchase: number; available: number; forecastModel: string | null }
}
interface Level {
  sku: string
  name: string
  location: string
  onHand: number
  reserved: number
  available: number
}
interface Movement {
  id: string
  kind: string
  sku: string
  location: string
  quantity: number
  lot: string | null
  expiresOn: string | null
  occurredAt: string
}

const REASON: Record<string, string> = {
  below_safety_stock: 'below safety stock',
  stockout_within_lead_time: 'runs out within lead time',
}

/** Stock at a glance: what is critical, what expires soon, what to reorder, levels per SKU × location, the latest movements. */
export function InventoryPage() {
  const critical = useQuery({
    queryKey: ['inventory', 'critical'],
    queryFn: () => api<Page<Critical>>('/api/inventory/critical'),
  })
  const reorder = useQuery({
    queryKey: ['inventory', 'reorder'],
    queryFn: () => api<Page<Suggestion>>('/api/inventory/reorder-suggestions'),
  })
  const levels = useQuery({
    queryKey: ['inventory', 'levels'],
    queryFn: () => api<Page<Level>>('/api/inventory/levels?limit=500'),
  })
  const movements = useQuery({
    queryKey: ['inventory', 'movements'],
    queryFn: () => api<Page<Movement>>('/api/stock-movements?limit=50'),
  })
  useLiveRefresh(
    ['stock.changed', 'order.created', 'order.status', 'production.changed'],
    [['inventory']],
    2000,
  )
  const noItems = <T,>(data: Page<T>) => data.items.length === 0
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold">Inventory</h1>
      <Section title="Critical items" query={critical} isEmpty={noItems} empty="Nothing is critical.">
        {(data) => (
          <DataTable
            caption="Critical items"
            rows={data.items}
            rowKey={(r) => `${r.sku}@${r.location}`}
            columns={[
              { label: 'SKU', render: (r) => `${r.sku} · ${r.name}` },
              { label: 'Location', render: (r) => r.location },
              { label: 'Available', numeric: true, render: (r) => number(r.available) },
              { label: 'Safety stock', numeric: true, render: (r) => number(r.safetyStock) },
              { label: 'Reorder point', numeric: true, render: (r) => number(r.reorderPoint) },
              { label: 'Days of cover', numeric: true, render: (r) => number(r.daysOfCover, 1) },
              { label: 'Runs out', render: (r) => r.projectedStockoutDate ?? '—' },
              { label: 'Why', render: (r) => r.reasons.map((reason) => REASON[reason] ?? reason).join(', ') },
            ]}
          />
        )}
      </Section>
      <ExpiringLots />
      <Section
        title="Reorder suggestions"
        description="Forecast demand over lead time and horizon plus safety stock, less what is available and on order; rounded to MOQ and batch size."
        query={reorder}
        isEmpty={(data) => data.items.every((s) => s.quantity === 0)}
        empty="Nothing needs ordering now."
      >
        {(data) => (
          <DataTable
            caption="Reorder suggestions"
            rows={data.items.filter((s) => s.quantity > 0)}
            rowKey={(r) => `${r.sku}@${r.location}`}
            columns={[
              { label: 'SKU', render: (r) => `${r.sku} · ${r.name}` },
              { label: 'Location', render: (r) => r.location },
              { label: 'Order now', numeric: true, render: (r) => number(r.quantity) },
              { label: 'Forecast demand', numeric: true, render: (r) => number(r.inputs.forecastDemand) },
              { label: 'Available', numeric: true, render: (r) => number(r.inputs.available) },
              { label: 'On order', numeric: true, render: (r) => number(r.inputs.openPurchase) },
              { label: 'Model', render: (r) => r.inputs.forecastModel ?? '—' },
            ]}
          />
        )}
      </Section>
      <Section title="Stock levels" query={levels} isEmpty={noItems} empty="No stock recorded yet.">
        {(data) => (
          <DataTable
            caption="Stock levels"
            rows={data.items}
            rowKey={(r) => `${r.sku}@${r.location}`}
            columns={[
              { label: 'SKU', render: (r) => `${r.sku} · ${r.name}` },
              { label: 'Location', render: (r) => r.location },
              { label: 'On hand', numeric: true, render: (r) => number(r.onHand) },
              { label: 'Reserved', numeric: true, render: (r) => number(r.reserved) },
              { label: 'Available', numeric: true, render: (r) => number(r.available) },
            ]}
          />
        )}
      </Section>
      <Section
        title="Latest movements"
        description="Newest recorded first, as the ledger keeps them. When is when the movement happened, which can be earlier: a receipt booked the day after, or history loaded at once."
        query={movements}
        isEmpty={noItems}
        empty="No movements yet."
      >
        {(data) => (
          <DataTable
            caption="Latest stock movements"
            rows={data.items}
            rowKey={(r) => r.id}
            columns={[
              { label: 'When', render: (r) => dateTime(r.occurredAt) },
              { label: 'Kind', render: (r) => r.kind.replace('_', ' ') },
              { label: 'SKU', render: (r) => r.sku },
              { label: 'Location', render: (r) => r.location },
              { label: 'Quantity', numeric: true, render: (r) => number(r.quantity) },
              { label: 'Lot', render: (r) => r.lot ?? '—' },
              { label: 'Expires', render: (r) => r.expiresOn ?? '—' },
            ]}
          />
        )}
      </Section>
    </div>
  )
}
