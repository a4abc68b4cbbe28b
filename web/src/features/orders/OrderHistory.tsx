import { useQuery } from '@tanstack/react-query'
import { Empty, ErrorState, Loading } from '../../components/States.tsx'
import { api } from '../../lib/api.ts'
import { dateTime } from '../../lib/format.ts'
import { StatusBadge } from './StatusBadge.tsx'
import type { OrderHistory as History, HistoryEntry } from './types.ts'

/** Who made a change, as the history names them. */
function actorText(actor: NonNullable<HistoryEntry['actor']>): string {
  if (actor.type === 'user') return actor.name ?? `user ${actor.id}`
  if (actor.type === 'apikey') return `API key ${actor.name ?? actor.id}`
  return actor.id ? `system (${actor.id})` : 'system'
}

/** The order's status history, oldest first, from GET /api/orders/:id/history. */
export function OrderHistory({ id }: { id: string }) {
  const history = useQuery({
    queryKey: ['orders', 'history', id],
    queryFn: () => api<History>(`/api/orders/${encodeURIComponent(id)}/history`),
  })
  return (
    <section aria-labelledby="order-history-title" className="space-y-2">
      <h3 id="order-history-title" className="font-semibold">
        History
      </h3>
      {history.isPending ? (
        <Loading label="Loading history…" />
      ) : history.isError ? (
        <ErrorState error={history.error} retry={() => history.refetch()} />
      ) : history.data.items.length === 0 ? (
        <Empty>No history recorded.</Empty>
      ) : (
        <ol className="space-y-3 border-l border-stone-300 pl-4 text-sm dark:border-stone-700">
          {history.data.items.map((entry) => (
            // an order never returns to a status, so kind and status name an entry
            <li key={`${entry.kind}-${entry.to}`}>
              <div className="flex flex-wrap items-center gap-2">
                {entry.kind === 'placed' ? (
                  <span className="font-medium">Placed</span>
                ) : (
                  <>
                    {entry.from && <StatusBadge status={entry.from} />}
                    <span aria-hidden="true">→</span>
                    <span className="sr-only">to</span>
                  </>
                )}
                <StatusBadge status={entry.to} />
                <time dateTime={entry.at} className="text-stone-600 dark:text-stone-400">
                  {dateTime(entry.at)}
                </time>
              </div>
              <p className="text-stone-600 dark:text-stone-400">
                {entry.actor ? `by ${actorText(entry.actor)}` : `via ${history.data.source}`}
                {entry.reason && ` · ${entry.reason}`}
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
