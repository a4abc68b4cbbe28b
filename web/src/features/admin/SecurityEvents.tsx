import { useQuery } from '@tanstack/react-query'
import { DataTable } from '../../components/DataTable.tsx'
import { KpiCard } from '../../components/KpiCard.tsx'
import { Section } from '../../components/Section.tsx'
import { api } from '../../lib/api.ts'
import { number } from '../../lib/format.ts'
import { maybeDate } from './hooks.ts'
import type { SecurityEventsPage } from './types.ts'

/** What the blocklist is for: security events of the last 24 hours by kind, and the latest ones. */
export function SecurityEvents() {
  const events = useQuery({
    queryKey: ['admin', 'security-events'],
    queryFn: () => api<SecurityEventsPage>('/api/security/events?limit=25'),
  })
  return (
    <Section
      title="Security events"
      description="Failed sign-ins, refused requests, blocked addresses and attack patterns, newest first."
      query={events}
      isEmpty={(d) => d.items.length === 0}
      empty="No security events recorded."
    >
      {(d) => (
        <div className="space-y-4">
          <div className="grid grid-cols-2 gap-4 sm:grid-cols-4">
            {Object.entries(d.countsLast24h).map(([kind, count]) => (
              <KpiCard key={kind} label={`${kind}, last 24 h`} value={number(count)} />
            ))}
          </div>
          <DataTable
            caption="Latest security events"
            rows={d.items}
            rowKey={(e) => e.id}
            columns={[
              {
                label: 'Time',
                render: (e) => <span className="whitespace-nowrap">{maybeDate(e.createdAt)}</span>,
              },
              { label: 'Kind', render: (e) => e.kind },
              { label: 'Address', render: (e) => e.ip ?? '—' },
              { label: 'Request', render: (e) => (e.route ? `${e.method ?? ''} ${e.route}` : '—') },
              { label: 'Subject', render: (e) => e.subject ?? '—' },
            ]}
          />
        </div>
      )}
    </Section>
  )
}
