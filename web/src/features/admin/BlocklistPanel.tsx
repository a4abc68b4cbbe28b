import { type FormEvent, useState } from 'react'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { ConfirmButton } from '../../components/ConfirmDialog.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { cardClass, fieldClass, labelClass, primaryButton } from '../../components/forms.ts'
import { Section } from '../../components/Section.tsx'
import { api } from '../../lib/api.ts'
import { useAction } from '../../lib/useAction.ts'
import { ADMIN_KEY, maybeDate, useIpBlocks, useWho } from './hooks.ts'
import { SecurityEvents } from './SecurityEvents.tsx'
import type { IpBlock } from './types.ts'

/** Blocked addresses and ranges: add one (with a reason and an optional end), lift one; then recent security events. */
export function BlocklistPanel() {
  const [includeInactive, setIncludeInactive] = useState(false)
  const blocks = useIpBlocks(includeInactive)
  const who = useWho()
  const add = useAction([ADMIN_KEY])
  const remove = useAction([ADMIN_KEY])

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const cidr = String(data.get('cidr')).trim()
    const reason = String(data.get('reason')).trim()
    const until = String(data.get('until'))
    const created = await add.run(
      () =>
        api<IpBlock>('/api/security/ip-blocks', {
          method: 'POST',
          body: {
            cidr,
            ...(reason ? { reason } : {}),
            // datetime-local is the reader's local time; the API takes an instant.
            ...(until ? { until: new Date(until).toISOString() } : {}),
          },
        }),
      `${cidr} is blocked.`,
    )
    if (created) form.reset()
  }

  return (
    <div className="space-y-8">
      <form className={cardClass} onSubmit={submit} aria-labelledby="block-title">
        <h2 id="block-title" className="text-lg font-semibold">
          Block an address or range
        </h2>
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-[1fr_2fr_1fr_auto] lg:items-end">
          <label className={labelClass}>
            Address or CIDR range
            <input
              name="cidr"
              required
              maxLength={64}
              placeholder="203.0.113.7 or 198.51.100.0/24"
              className={fieldClass}
            />
          </label>
          <label className={labelClass}>
            Reason
            <input name="reason" maxLength={500} className={fieldClass} />
          </label>
          <label className={labelClass}>
            Until (optional)
            <input name="until" type="datetime-local" className={fieldClass} />
          </label>
          <button type="submit" disabled={add.pending} className={primaryButton}>
            Block
          </button>
        </div>
        <p className="text-xs text-stone-600 dark:text-stone-400">
          Requests from a blocked address are refused with 403 on every replica. Without an end the block
          stays until it is removed. Take care not to block your own address.
        </p>
        <ActionStatus action={add} />
      </form>
      <ActionStatus action={remove} />
      <Section
        title="Blocked addresses"
        query={blocks}
        isEmpty={(d) => d.items.length === 0}
        empty={includeInactive ? 'No address has ever been blocked.' : 'No address is blocked.'}
      >
        {(d) => (
          <DataTable
            caption="Blocked addresses"
            rows={d.items}
            rowKey={(b) => b.id}
            columns={[
              { label: 'Address or range', render: (b) => <code>{b.cidr}</code> },
              { label: 'Reason', render: (b) => b.reason ?? '—' },
              { label: 'Source', render: (b) => b.source },
              { label: 'Blocked by', render: (b) => who(b.createdBy) },
              { label: 'Since', render: (b) => maybeDate(b.createdAt) },
              { label: 'Until', render: (b) => maybeDate(b.expiresAt, 'no end') },
              {
                label: 'Status',
                render: (b) =>
                  b.active ? 'active' : b.removedAt ? `removed ${maybeDate(b.removedAt)}` : 'expired',
              },
              {
                label: 'Actions',
                render: (b) =>
                  b.active && (
                    <ConfirmButton
                      label="Remove"
                      name={`Remove the block on ${b.cidr}`}
                      title={`Remove the block on ${b.cidr}?`}
                      message="Requests from it are accepted again at once."
                      confirmLabel="Remove block"
                      disabled={remove.pending}
                      onConfirm={() =>
                        remove.run(
                          () => api(`/api/security/ip-blocks/${b.id}`, { method: 'DELETE' }),
                          `The block on ${b.cidr} is removed.`,
                        )
                      }
                    />
                  ),
              },
            ]}
          />
        )}
      </Section>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={includeInactive}
          onChange={(e) => setIncludeInactive(e.target.checked)}
        />
        Show removed and expired blocks
      </label>
      <SecurityEvents />
    </div>
  )
}
