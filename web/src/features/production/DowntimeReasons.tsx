import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { DataTable } from '../../components/DataTable.tsx'
import { Section } from '../../components/Section.tsx'
import { api } from '../../lib/api.ts'
import { number, percent } from '../../lib/format.ts'

interface Tally {
  minutes: number
  occurrences: number
}
interface DowntimeReport extends Tally {
  from: string
  to: string
  reasons: (Tally & { reason: string; lines: (Tally & { line: string })[] })[]
}

const WINDOWS = [7, 30, 90]
const DAY_MS = 86_400_000

/** Minutes lost per downtime reason over the last days, most minutes first, with a bar for each. */
export function DowntimeReasons() {
  const [days, setDays] = useState(30)
  const downtime = useQuery({
    queryKey: ['production', 'downtime', days],
    queryFn: () => {
      const from = new Date(Math.floor(Date.now() / 60_000) * 60_000 - days * DAY_MS).toISOString()
      return api<DowntimeReport>(`/api/production/downtime?from=${encodeURIComponent(from)}`)
    },
  })
  return (
    <Section
      title="Downtime reasons"
      description={
        downtime.data && downtime.data.occurrences > 0
          ? `${number(downtime.data.minutes)} minutes in ${number(downtime.data.occurrences)} stops over the last ${days} days.`
          : undefined
      }
      query={downtime}
      isEmpty={(data) => data.reasons.length === 0}
      empty={`No downtime recorded in the last ${days} days.`}
      actions={
        <label className="flex items-center gap-2 text-sm">
          <span className="text-stone-600 dark:text-stone-400">Period</span>
          <select
            value={days}
            onChange={(event) => setDays(Number(event.target.value))}
            className="rounded-md border border-stone-300 bg-white px-2 py-1 dark:border-stone-700 dark:bg-stone-900"
          >
            {WINDOWS.map((n) => (
              <option key={n} value={n}>
                last {n} days
              </option>
            ))}
          </select>
        </label>
      }
    >
      {(data) => {
        const most = data.reasons[0]?.minutes ?? 1
        return (
          <DataTable
            caption="Downtime reasons"
            rows={data.reasons}
            rowKey={(r) => r.reason}
            columns={[
              { label: 'Reason', render: (r) => r.reason },
              {
                label: 'Minutes',
                numeric: true,
                render: (r) => (
                  <span className="flex items-center justify-end gap-2">
                    <span
                      aria-hidden="true"
                      className="hidden h-2 rounded-sm bg-amber-600 sm:inline-block dark:bg-amber-400"
                      style={{ width: `${Math.max(2, (r.minutes / most) * 96)}px` }}
                    />
                    {number(r.minutes)}
                  </span>
                ),
              },
              { label: 'Share', numeric: true, render: (r) => percent(r.minutes / data.minutes) },
              { label: 'Stops', numeric: true, render: (r) => number(r.occurrences) },
              {
                label: 'By line',
                render: (r) => r.lines.map((l) => `${l.line} ${number(l.minutes)} min`).join(' · '),
              },
            ]}
          />
        )
      }}
    </Section>
  )
}
