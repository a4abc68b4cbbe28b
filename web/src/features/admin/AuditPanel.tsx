import { useInfiniteQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { DataTable } from '../../components/DataTable.tsx'
import { secondaryButton } from '../../components/forms.ts'
import { Empty, ErrorState, Loading } from '../../components/States.tsx'
import { api } from '../../lib/api.ts'
import { type AuditFilter, AuditFilters, auditQuery, NO_FILTER } from './AuditFilters.tsx'
import { maybeDate, useUsers, useWho } from './hooks.ts'
import type { AuditEntry } from './types.ts'

const PAGE = '50'

/** The audit log, newest first, filtered on the server; "Load more" follows the cursor. */
export function AuditPanel() {
  const [filter, setFilter] = useState<AuditFilter>(NO_FILTER)
  const users = useUsers()
  const entries = useInfiniteQuery({
    queryKey: ['admin', 'audit', filter],
    queryFn: ({ pageParam }) =>
      api<{ items: AuditEntry[]; nextCursor: string | null }>(
        `/api/audit-logs?${auditQuery(filter, pageParam ? { limit: PAGE, cursor: pageParam } : { limit: PAGE })}`,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  })
  const who = useWho()
  const actor = (e: AuditEntry) => who(e.actorId ? `${e.actorType}:${e.actorId}` : e.actorType)
  const rows = entries.data?.pages.flatMap((page) => page.items) ?? []

  return (
    <section className="space-y-4" aria-labelledby="audit-title">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="audit-title" className="text-lg font-semibold">
          Audit log
        </h2>
        <a
          href={`/api/audit-logs?${auditQuery(filter, { format: 'csv' })}`}
          download
          className="text-sm font-medium text-amber-800 underline dark:text-amber-300"
        >
          Export these entries as CSV
        </a>
      </div>
      <AuditFilters filter={filter} users={users.data?.items ?? []} onChange={setFilter} />
      {entries.isPending ? (
        <Loading label="Loading the audit log…" />
      ) : entries.isError ? (
        <ErrorState error={entries.error} retry={() => entries.refetch()} />
      ) : rows.length === 0 ? (
        <Empty>No audit entries match these filters.</Empty>
      ) : (
        <DataTable
          caption="Audit log"
          rows={rows}
          rowKey={(e) => e.id}
          columns={[
            {
              label: 'Time',
              render: (e) => <span className="whitespace-nowrap">{maybeDate(e.createdAt)}</span>,
            },
            { label: 'Actor', render: actor },
            { label: 'Action', render: (e) => e.action },
            { label: 'Target', render: (e) => (e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—') },
            { label: 'Address', render: (e) => e.ip ?? '—' },
            { label: 'Details', render: details },
          ]}
        />
      )}
      {entries.hasNextPage && (
        <button
          type="button"
          disabled={entries.isFetchingNextPage}
          onClick={() => entries.fetchNextPage()}
          className={secondaryButton}
        >
          {entries.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  )
}

/** Old and new values as the server recorded them (secrets already redacted there). */
function details(entry: AuditEntry) {
  const parts = [
    entry.oldValues == null ? null : `before: ${JSON.stringify(entry.oldValues)}`,
    entry.newValues == null ? null : `after: ${JSON.stringify(entry.newValues)}`,
  ].filter(Boolean)
  if (parts.length === 0) return '—'
  return <code className="block max-w-md text-xs break-all">{parts.join(' · ')}</code>
}
