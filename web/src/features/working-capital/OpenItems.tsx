import { useState } from 'react'
import { DataTable } from '../../components/DataTable.tsx'
import { Empty, ErrorState, Loading } from '../../components/States.tsx'
import { day, money, number } from '../../lib/format.ts'
import type { OpenItem, OpenItemStatus } from './types.ts'
import { useOpenItems } from './useWorkingCapital.ts'

const STATUS_LABELS: Record<OpenItemStatus, string> = {
  open: 'Open',
  overdue: 'Overdue',
  paid: 'Paid',
  all: 'All',
}
const input =
  'rounded-md border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-600 dark:bg-stone-900'

function Due({ item }: { item: OpenItem }) {
  if (item.daysOverdue !== null)
    return (
      <span className="rounded bg-red-100 px-1.5 py-0.5 font-medium text-red-800 dark:bg-red-950 dark:text-red-200">
        {number(item.daysOverdue)} {item.daysOverdue === 1 ? 'day' : 'days'} overdue
      </span>
    )
  if (item.paidOn) return <span>paid {day(item.paidOn)}</span>
  return <span className="text-stone-600 dark:text-stone-400">not due yet</span>
}

/** Receivables or payables by due day, with the open and overdue totals, a status filter and more on demand. */
export function OpenItems(props: { kind: 'receivables' | 'payables'; title: string; counterparty: string }) {
  const [status, setStatus] = useState<OpenItemStatus>('open')
  const query = useOpenItems(props.kind, status)
  const first = query.data?.pages[0]
  const rows = query.data?.pages.flatMap((page) => page.items) ?? []
  const id = `${props.kind}-status`
  return (
    <section className="space-y-2" aria-labelledby={`${props.kind}-title`}>
      <div className="flex flex-wrap items-end justify-between gap-2">
        <h2 id={`${props.kind}-title`} className="text-lg font-semibold">
          {props.title}
        </h2>
        <div className="flex flex-col text-sm">
          <label htmlFor={id}>Show</label>
          <select
            id={id}
            className={input}
            value={status}
            onChange={(e) => setStatus(e.target.value as OpenItemStatus)}
          >
            {Object.entries(STATUS_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {first && (
        <p className="text-sm text-stone-600 dark:text-stone-400" data-testid={`${props.kind}-totals`}>
          Open: {money(first.open.amountBase, first.currency)} in {number(first.open.count)} · overdue:{' '}
          <span className={first.overdue.count > 0 ? 'font-medium text-red-700 dark:text-red-400' : ''}>
            {money(first.overdue.amountBase, first.currency)} in {number(first.overdue.count)}
          </span>
        </p>
      )}
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorState error={query.error} retry={() => query.refetch()} />
      ) : rows.length === 0 ? (
        <Empty>
          {status === 'all'
            ? `No ${props.kind} yet.`
            : `No ${STATUS_LABELS[status].toLowerCase()} ${props.kind}.`}
        </Empty>
      ) : (
        <DataTable
          caption={props.title}
          rows={rows}
          rowKey={(r) => r.id}
          columns={[
            { label: 'Due', render: (r) => <span className="whitespace-nowrap">{day(r.dueOn)}</span> },
            { label: props.counterparty, render: (r) => r.counterparty ?? '—' },
            { label: 'Reference', render: (r) => r.reference },
            { label: 'Issued', render: (r) => <span className="whitespace-nowrap">{day(r.issuedOn)}</span> },
            { label: 'Amount', numeric: true, render: (r) => money(r.amount, r.currency) },
            {
              label: `In ${first?.currency ?? ''}`,
              numeric: true,
              render: (r) => money(r.amountBase, first!.currency),
            },
            { label: 'Status', render: (r) => <Due item={r} /> },
          ]}
        />
      )}
      {query.hasNextPage && (
        <button
          type="button"
          disabled={query.isFetchingNextPage}
          onClick={() => query.fetchNextPage()}
          className="rounded-md border border-stone-300 px-4 py-2 text-sm font-medium hover:bg-stone-100 dark:border-stone-600 dark:hover:bg-stone-800"
        >
          {query.isFetchingNextPage ? 'Loading…' : `More ${props.kind}`}
        </button>
      )}
    </section>
  )
}
