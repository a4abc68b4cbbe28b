import { DataTable } from '../../components/DataTable.tsx'
import { useOnCall, usePolicies, useRoles, useVendors } from './hooks.ts'
import { OpsSection, QueryBlock, subheading } from './QueryBlock.tsx'
import { when } from './show.ts'
import type { Contact, OnCallNow, RoleAssignment } from './types.ts'

const linkClass = 'text-amber-800 underline dark:text-amber-300'

const ROLE_LABEL: Record<RoleAssignment['role'], string> = {
  engineering_lead: 'Engineering lead',
  vp_engineering: 'VP engineering',
  cto: 'CTO',
  ceo: 'CEO',
}

/** The ways to reach someone: email and phone as links, Slack as written. */
function Reach({ contact }: { contact: Contact }) {
  const ways = [
    contact.phone && (
      <a key="phone" href={`tel:${contact.phone.replaceAll(' ', '')}`} className={linkClass}>
        {contact.phone}
      </a>
    ),
    contact.email && (
      <a key="email" href={`mailto:${contact.email}`} className={linkClass}>
        {contact.email}
      </a>
    ),
    contact.slack && <span key="slack">Slack {contact.slack}</span>,
  ].filter(Boolean)
  if (ways.length === 0) return <span className="text-stone-600 dark:text-stone-400">no address</span>
  return <span className="flex flex-col">{ways}</span>
}

function Shift({ tier, contact, until }: { tier: string; contact: Contact | null; until: string | null }) {
  return (
    <div className="rounded-lg border border-stone-200 bg-white p-3 dark:border-stone-800 dark:bg-stone-900">
      <p className="text-sm text-stone-600 dark:text-stone-400">{tier}</p>
      {contact ? (
        <>
          <p className="text-lg font-semibold">{contact.name}</p>
          <div className="text-sm">
            <Reach contact={contact} />
          </div>
          <p className="mt-1 text-xs text-stone-600 dark:text-stone-400">
            {until ? `until ${when(until)}` : 'no handoff scheduled'}
          </p>
        </>
      ) : (
        <p className="font-medium">Nobody</p>
      )}
    </div>
  )
}

function Now({ now }: { now: OnCallNow }) {
  return (
    <div className="space-y-2">
      <p className="text-sm text-stone-600 dark:text-stone-400">
        Schedule {now.schedule.name} ({now.schedule.timezone})
      </p>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <Shift tier="Primary" contact={now.primary} until={now.primaryUntil} />
        <Shift tier="Secondary" contact={now.secondary} until={now.secondaryUntil} />
      </div>
    </div>
  )
}

/** Who is on call now, the escalation contacts and steps, and the vendors' support contacts. */
export function OnCallPanel() {
  const now = useOnCall()
  const roles = useRoles()
  const policies = usePolicies()
  const vendors = useVendors()
  return (
    <OpsSection id="oncall" title="On call">
      <h3 className={subheading}>Now</h3>
      <QueryBlock query={now} isEmpty={(d) => d === null} empty="No on-call schedule is set up.">
        {(d) => d && <Now now={d} />}
      </QueryBlock>
      <h3 className={subheading}>Escalation contacts</h3>
      <QueryBlock query={roles} isEmpty={(d) => d.items.length === 0} empty="No escalation roles.">
        {(d) => (
          <DataTable
            caption="Escalation contacts"
            rows={d.items}
            rowKey={(r) => r.role}
            columns={[
              { label: 'Role', render: (r) => ROLE_LABEL[r.role] ?? r.role },
              { label: 'Who', render: (r) => r.contact?.name ?? 'not assigned' },
              { label: 'Contact', render: (r) => (r.contact ? <Reach contact={r.contact} /> : '—') },
            ]}
          />
        )}
      </QueryBlock>
      <h3 className={subheading}>Escalation steps</h3>
      <QueryBlock query={policies} isEmpty={(d) => d.items.length === 0} empty="No escalation policy.">
        {(d) => (
          <DataTable
            caption="Escalation steps by severity"
            rows={d.items}
            rowKey={(p) => p.severity}
            columns={[
              { label: 'Severity', render: (p) => p.severity },
              {
                label: 'Steps',
                render: (p) => (
                  <ol className="space-y-0.5">
                    {p.steps.map((step) => (
                      <li key={step.afterMinutes}>
                        {step.afterMinutes === 0 ? 'at once' : `after ${step.afterMinutes} min`}:{' '}
                        {step.notify.join(', ')}
                      </li>
                    ))}
                  </ol>
                ),
              },
            ]}
          />
        )}
      </QueryBlock>
      <h3 className={subheading}>Vendor support</h3>
      <QueryBlock query={vendors} isEmpty={(d) => d.items.length === 0} empty="No vendor contacts yet.">
        {(d) => (
          <DataTable
            caption="Vendor support contacts"
            rows={d.items}
            rowKey={(c) => c.id}
            columns={[
              { label: 'Name', render: (c) => c.name },
              { label: 'Organisation', render: (c) => c.organisation ?? '—' },
              {
                label: 'Phone',
                render: (c) =>
                  c.phone ? (
                    <a href={`tel:${c.phone.replaceAll(' ', '')}`} className={linkClass}>
                      {c.phone}
                    </a>
                  ) : (
                    '—'
                  ),
              },
              {
                label: 'Email',
                render: (c) =>
                  c.email ? (
                    <a href={`mailto:${c.email}`} className={linkClass}>
                      {c.email}
                    </a>
                  ) : (
                    '—'
                  ),
              },
              {
                label: 'Notes',
                render: (c) => <span className="whitespace-pre-line">{c.notes ?? '—'}</span>,
              },
            ]}
          />
        )}
      </QueryBlock>
    </OpsSection>
  )
}
