import { useQuery } from '@tanstack/react-query'
import { SideDrawer } from '../../components/SideDrawer.tsx'
import { ErrorState, Loading } from '../../components/States.tsx'
import { api } from '../../lib/api.ts'
import { BASE_CURRENCY, dateTime, money, number } from '../../lib/format.ts'
import { OrderHistory } from './OrderHistory.tsx'
import { StatusBadge } from './StatusBadge.tsx'
import type { Order } from './types.ts'

/** One order with its lines, in a dialog at the side; Escape or the close button closes it. */
export function OrderDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const order = useQuery({
    queryKey: ['orders', 'one', id],
    queryFn: () => api<Order>(`/api/orders/${encodeURIComponent(id)}`),
  })
  return (
    <SideDrawer titleId="order-title" title={`Order ${id}`} onClose={onClose}>
      {order.isPending ? (
        <Loading />
      ) : order.isError ? (
        <ErrorState error={order.error} retry={() => order.refetch()} />
      ) : (
        <OrderDetail order={order.data} />
      )}
    </SideDrawer>
  )
}

function OrderDetail({ order }: { order: Order }) {
  const rows: [string, React.ReactNode][] = [
    ['Status', <StatusBadge key="s" status={order.status} />],
    ['Placed', dateTime(order.placedAt)],
    ['Channel', order.channel],
    ['Market', order.market],
    ['Ships from', order.location],
    ['Source', order.externalId ? `${order.source} · ${order.externalId}` : order.source],
  ]
  return (
    <div className="space-y-6">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-stone-600 dark:text-stone-400">{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <table className="w-full text-sm">
        <caption className="mb-2 text-left font-semibold">Lines</caption>
        <thead className="text-left text-stone-600 dark:text-stone-400">
          <tr>
            <th scope="col" className="py-1">
              SKU
            </th>
            <th scope="col" className="py-1 text-right">
              Quantity
            </th>
            <th scope="col" className="py-1 text-right">
              Unit price
            </th>
            <th scope="col" className="py-1 text-right">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr key={line.lineNo} className="border-t border-stone-200 dark:border-stone-800">
              <td className="py-1">{line.sku}</td>
              <td className="py-1 text-right tabular-nums">{number(line.quantity)}</td>
              <td className="py-1 text-right tabular-nums">{money(line.unitPrice, order.currency)}</td>
              <td className="py-1 text-right tabular-nums">
                {money(line.unitPrice * line.quantity, order.currency)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="ml-auto grid w-64 grid-cols-2 gap-y-1 text-sm tabular-nums">
        <dt>Subtotal</dt>
        <dd className="text-right">{money(order.subtotal, order.currency)}</dd>
        <dt>Shipping</dt>
        <dd className="text-right">{money(order.shipping, order.currency)}</dd>
        <dt>Tax</dt>
        <dd className="text-right">{money(order.tax, order.currency)}</dd>
        <dt className="font-semibold">Total</dt>
        <dd className="text-right font-semibold">{money(order.total, order.currency)}</dd>
        <dt className="text-stone-600 dark:text-stone-400">In {BASE_CURRENCY}</dt>
        <dd className="text-right text-stone-600 dark:text-stone-400">
          {money(order.totalBase, BASE_CURRENCY)}
        </dd>
      </dl>
      <OrderHistory id={order.id} />
    </div>
  )
}
