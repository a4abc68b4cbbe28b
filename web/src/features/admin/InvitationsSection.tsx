import { type FormEvent, useState } from 'react'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { ConfirmButton } from '../../components/ConfirmDialog.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { cardClass, fieldClass, labelClass, primaryButton } from '../../components/forms.ts'
import { OneTimeSecret } from '../../components/OneTimeSecret.tsx'
import { Section } from '../../components/Section.tsx'
import { api } from '../../lib/api.ts'
import { useAction } from '../../lib/useAction.ts'
import { ADMIN_KEY, maybeDate, useInvitations, useWho } from './hooks.ts'
import { type Invitation, ROLES } from './types.ts'

/** Invite by email with a role (the link is shown once, to pass on), and the open invitations. */
export function InvitationsSection() {
  const invitations = useInvitations()
  const who = useWho()
  const action = useAction([ADMIN_KEY])
  const revoke = useAction([ADMIN_KEY])
  const [issued, setIssued] = useState<{ invitation: Invitation; url: string } | null>(null)

  async function invite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const email = String(data.get('email'))
    const result = await action.run(
      () =>
        api<{ invitation: Invitation; url: string }>('/api/users/invitations', {
          method: 'POST',
          body: { email, role: data.get('role') },
        }),
      `Invitation for ${email} created.`,
    )
    if (result) {
      setIssued(result)
      form.reset()
    }
  }

  return (
    <div className="space-y-6">
      <form className={cardClass} onSubmit={invite} aria-labelledby="invite-title">
        <h2 id="invite-title" className="text-lg font-semibold">
          Invite someone
        </h2>
        <div className="grid gap-4 sm:grid-cols-[2fr_1fr_auto] sm:items-end">
          <label className={labelClass}>
            Email to invite
            <input name="email" type="email" required maxLength={254} className={fieldClass} />
          </label>
          <label className={labelClass}>
            Invite as
            <select name="role" defaultValue="viewer" className={fieldClass}>
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={action.pending} className={primaryButton}>
            Invite
          </button>
        </div>
        <ActionStatus action={action} />
        {issued && (
          <OneTimeSecret
            label={`Invitation link for ${issued.invitation.email}`}
            value={issued.url}
            onDone={() => setIssued(null)}
          >
            Shown only this once: send it to them yourself (it is not emailed). It works once, until{' '}
            {maybeDate(issued.invitation.expiresAt)}.
          </OneTimeSecret>
        )}
      </form>
      <ActionStatus action={revoke} />
      <Section
        title="Open invitations"
        query={invitations}
        isEmpty={(d) => d.items.every((i) => i.status !== 'open')}
        empty="No open invitations."
      >
        {(d) => (
          <DataTable
            caption="Open invitations"
            rows={d.items.filter((i) => i.status === 'open')}
            rowKey={(i) => i.id}
            columns={[
              { label: 'Email', render: (i) => i.email },
              { label: 'Role', render: (i) => i.role },
              { label: 'Invited by', render: (i) => who(i.invitedBy) },
              { label: 'Sent', render: (i) => maybeDate(i.createdAt) },
              { label: 'Expires', render: (i) => maybeDate(i.expiresAt) },
              {
                label: 'Actions',
                render: (i) => (
                  <ConfirmButton
                    label="Revoke"
                    name={`Revoke the invitation for ${i.email}`}
                    title={`Revoke the invitation for ${i.email}?`}
                    message="The link stops working at once. You can invite the address again later."
                    confirmLabel="Revoke"
                    disabled={revoke.pending}
                    onConfirm={() =>
                      revoke.run(
                        () => api(`/api/users/invitations/${i.id}`, { method: 'DELETE' }),
                        `The invitation for ${i.email} is revoked.`,
                      )
                    }
                  />
                ),
              },
            ]}
          />
        )}
      </Section>
    </div>
  )
}
