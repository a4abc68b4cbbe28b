import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { useLocation, useRoute } from 'wouter'
import { Empty, ErrorState, Loading } from '../../components/States.tsx'
import { api } from '../../lib/api.ts'
import { BASE_CURRENCY, dateTime, money } from '../../lib/format.ts'
import { useLiveRefresh } from '../../lib/live.ts'
import { OrderDrawer } from './OrderDrawer.tsx'
import { StatusBadge } from './StatusBadge.tsx'
import { type Filters, type OrderPage, type OrderSummary, STATUSES } from './types.ts'

type SortKey = 'placedAt' | 'totalBase' | 'channel' | 'status'
const input =
  'rounded-md border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-600 dark:bg-stone-900'

function queryString(filters: Filters, cursor: string | null): string {
  const params = new URLSearchParams({ limit: '50' })
  if (filters.status) params.set('status', filters.status)
  if (filters.channel) params.set('channel', filters.channel)
  if (filters.market) params.set('market', filters.market)
  if (filters.from) params.set('from', new Date(`${filters.from}T00:00:00`).toISOString())
  if (filters.to) params.set('to', new Date(`${filters.to}T23:59:59.999`).toISOString())
  if (cursor) params.set('cursor', cursor)
  return params.toString()
}

/** Orders, newest first, filtered on the server; the loaded rows sort by any column. */
export function OrdersPage() {
  const [filters, setFilters] = useState<Filters>({ status: '', channel: '', market: '', from: '', to: '' })
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({
    key: 'placedAt',
    descending: true,
  })
  const [, params] = useRoute('/orders/:id')
  const [, navigate] = useLocation()
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api<{ items: { code: string; name: string }[] }>('/api/channels'),
  })
  const markets = useQuery({
    queryKey: ['markets'],
    queryFn: () => api<{ items: { code: string }[] }>('/api/markets'),
  })
  const orders = useInfiniteQuery({
    queryKey: ['orders', 'list', filters],
    queryFn: ({ pageParam }) => api<OrderPage>(`/api/orders?${queryString(filters, pageParam)}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  })
  useLiveRefresh(['order.created', 'order.status'], [['orders']])

  const rows = useMemo(() => {
    const all = orders.data?.pages.flatMap((page) => page.items) ?? []
    const sign = sort.descending ? -1 : 1
    return [...all].sort((a, b) => sign * compare(a[sort.key], b[sort.key]))
  }, [orders.data, sort])
  const set = (patch: Partial<Filters>) => setFilters((current) => ({ ...current, ...patch }))

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Orders</h1>
      <form
        className="flex flex-wrap items-end gap-3"
        aria-label="Filters"
        onSubmit={(e) => e.preventDefault()}
      >
        <label className="flex flex-col text-sm">
          Status
          <select
            className={input}
            value={filters.status}
            onChange={(e) => set({ status: e.target.value as Filters['status'] })}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          Channel
          <select
            className={input}
            value={filters.channel}
            onChange={(e) => set({ channel: e.target.value })}
          >
            <option value="">All</option>
            {channels.data?.items.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          Market
          <select className={input} value={filters.market} onChange={(e) => set({ market: e.target.value })}>
            <option value="">All</option>
            {markets.data?.items.map((m) => (
              <option key={m.code} value={m.code}>
                {m.code}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          From
          <input
            type="date"
            className={input}
            value={filters.from}
            onChange={(e) => set({ from: e.target.value })}
          />
        </label>
        <label className="flex flex-col text-sm">
          To
          <input
            type="date"
            className={input}
            value={filters.to}
            onChange={(e) => set({ to: e.target.value })}
          />
        </label>
      </form>

      {orders.isPending ? (
        <Loading label="Loading orders…" />
      ) : orders.isError ? (
        <ErrorState error={orders.error} retry={() => orders.refetch()} />
      ) : rows.length === 0 ? (
        <Empty>No orders match these filters.</Empty>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-stone-200 bg-white dark:border-stone-800 dark:bg-stone-900">
          <table className="w-full text-sm">
            <thead className="text-left text-stone-600 dark:text-stone-400">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Order
                </th>
                <SortHeader label="Placed" column="placedAt" sort={sort} onSort={setSort} />
                <SortHeader label="Channel" column="channel" sort={sort} onSort={setSort} />
                <SortHeader label="Status" column="status" sort={sort} onSort={setSort} />
                <th scope="col" className="px-3 py-2 text-right">
                  Total
                </th>
                <SortHeader
                  label={`Total (${BASE_CURRENCY})`}
                  column="totalBase"
                  sort={sort}
                  onSort={setSort}
                  right
                />
              </tr>
            </thead>
            <tbody>
              {rows.map((order) => (
                <OrderRow
                  key={order.id}
                  order={order}
                  onOpen={() => navigate(`/orders/${encodeURIComponent(order.id)}`)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {orders.hasNextPage && (
        <button
          type="button"
          disabled={orders.isFetchingNextPage}
          onClick={() => orders.fetchNextPage()}
          className="rounded-md border border-stone-300 px-4 py-2 text-sm font-medium hover:bg-stone-100 dark:border-stone-600 dark:hover:bg-stone-800"
        >
          {orders.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
      {params?.id && <OrderDrawer id={decodeURIComponent(params.id)} onClose={() => navigate('/orders')} />}
    </div>
  )
}

function OrderRow({ order, onOpen }: { order: OrderSummary; onOpen: () => void }) {
  return (
    <tr className="border-t border-stone-200 hover:bg-stone-50 dark:border-stone-800 dark:hover:bg-stone-800/50">
      <td className="px-3 py-2">
        <button
          type="button"
          onClick={onOpen}
          className="font-medium text-amber-800 underline dark:text-amber-300"
        >
          {order.externalId ?? order.id}
        </button>
      </td>
      <td className="px-3 py-2 whitespace-nowrap">{dateTime(order.placedAt)}</td>
      <td className="px-3 py-2">{order.channel}</td>
      <td className="px-3 py-2">
        <StatusBadge status={order.status} />
      </td>
      <td className="px-3 py-2 text-right tabular-nums">{money(order.total, order.currency)}</td>
      <td className="px-3 py-2 text-right tabular-nums">{money(order.totalBase, BASE_CURRENCY)}</td>
    </tr>
  )
}

function SortHeader(props: {
  label: string
  column: SortKey
  sort: { key: SortKey; descending: boolean }
  onSort: (sort: { key: SortKey; descending: boolean }) => void
  right?: boolean
}) {
  const active = props.sort.key === props.column
  return (
    <th
      scope="col"
      aria-sort={active ? (props.sort.descending ? 'descending' : 'ascending') : 'none'}
      className={`px-3 py-2 ${props.right ? 'text-right' : ''}`}
    >
      <button
        type="button"
        className="font-medium hover:underline"
        onClick={() =>
          props.onSort({ key: props.column, descending: active ? !props.sort.descending : true })
        }
      >
        {props.label} {active ? (props.sort.descending ? '↓' : '↑') : ''}
      </button>
    </th>
  )
}

function compare(a: string | number, b: string | number): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))
}
