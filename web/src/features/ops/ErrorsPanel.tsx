import { atLeast, useMe } from '../../app/session.ts'
import { DataTable } from '../../components/DataTable.tsx'
import { Empty } from '../../components/States.tsx'
import { number } from '../../lib/format.ts'
import { ERROR_DAYS, useErrorGroups } from './hooks.ts'
import { OpsSection, QueryBlock } from './QueryBlock.tsx'
import { when } from './show.ts'

/** The error tracker's groups seen lately, the most frequent first (operators: messages can quote data). */
export function ErrorsPanel() {
  const me = useMe().data
  const operator = me ? atLeast(me, 'operator') : false
  const groups = useErrorGroups(operator)
  return (
    <OpsSection
      id="errors"
      title="Errors"
      description={`Error groups seen in the last ${ERROR_DAYS} days, the most frequent first.`}
    >
      {operator ? (
        <QueryBlock
          query={groups}
          isEmpty={(d) => d.length === 0}
          empty={`No errors in the last ${ERROR_DAYS} days.`}
        >
          {(d) => (
            <DataTable
              caption="Error groups"
              rows={d}
              rowKey={(g) => g.id}
              columns={[
                { label: 'Type', render: (g) => <span className="font-medium">{g.type}</span> },
                {
                  label: 'Message',
                  render: (g) => (
                    <span className="line-clamp-3 break-words" title={g.message}>
                      {g.message}
                    </span>
                  ),
                },
                { label: 'Source', render: (g) => (g.route ? `${g.source} · ${g.route}` : g.source) },
                { label: 'Count', numeric: true, render: (g) => number(g.count) },
                { label: 'Last seen', render: (g) => when(g.lastSeen) },
                { label: 'Release', render: (g) => g.lastRelease ?? '—' },
              ]}
            />
          )}
        </QueryBlock>
      ) : (
        <Empty>Operators and admins see the error groups.</Empty>
      )}
    </OpsSection>
  )
}
