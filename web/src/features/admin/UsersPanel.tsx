import { useState } from 'react'
import { useMe } from '../../app/session.ts'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { ConfirmButton, ConfirmDialog } from '../../components/ConfirmDialog.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { inlineFieldClass, secondaryButton } from '../../components/forms.ts'
import { Section } from '../../components/Section.tsx'
import { api } from '../../lib/api.ts'
import { useAction } from '../../lib/useAction.ts'
import { ADMIN_KEY, maybeDate, useUsers } from './hooks.ts'
import { InvitationsSection } from './InvitationsSection.tsx'
import { ROLES, type User } from './types.ts'

/** People with accounts: change a role, disable or enable, lift a lockout; then invitations. */
export function UsersPanel() {
  const me = useMe().data
  const users = useUsers()
  const action = useAction([ADMIN_KEY])
  const [roleChange, setRoleChange] = useState<{ user: User; role: User['role'] } | null>(null)
  const change = (user: User, body: object, done: string) =>
    action.run(() => api<User>(`/api/users/${user.id}`, { method: 'PATCH', body }), done)

  return (
    <div className="space-y-8">
      <Section title="Users" query={users} isEmpty={(d) => d.items.length === 0} empty="No users yet.">
        {(d) => (
          <div className="space-y-2">
            <ActionStatus action={action} />
            <DataTable
              caption="Users"
              rows={d.items}
              rowKey={(u) => u.id}
              columns={[
                { label: 'Name', render: (u) => (u.id === me?.id ? `${u.name} (you)` : u.name) },
                { label: 'Email', render: (u) => u.email },
                {
                  label: 'Role',
                  render: (u) => (
                    <select
                      aria-label={`Role of ${u.email}`}
                      className={inlineFieldClass}
                      value={u.role}
                      disabled={u.id === me?.id || action.pending}
                      onChange={(e) => setRoleChange({ user: u, role: e.target.value as User['role'] })}
                    >
                      {ROLES.map((role) => (
                        <option key={role} value={role}>
                          {role}
                        </option>
                      ))}
                    </select>
                  ),
                },
                { label: 'Status', render: status },
                { label: 'Two-factor', render: (u) => (u.twoFactorEnabled ? 'on' : 'off') },
                { label: 'Created', render: (u) => maybeDate(u.createdAt) },
                {
                  label: 'Actions',
                  render: (u) => (
                    <div className="flex flex-wrap gap-2">
                      {u.disabled ? (
                        <button
                          type="button"
                          className={secondaryButton}
                          aria-label={`Enable ${u.email}`}
                          disabled={action.pending}
                          onClick={() => change(u, { disabled: false }, `${u.email} can sign in again.`)}
                        >
                          Enable
                        </button>
                      ) : (
                        <ConfirmButton
                          label="Disable"
                          name={`Disable ${u.email}`}
                          title={`Disable ${u.email}?`}
                          message="They are signed out at once and cannot sign in until an admin enables the account again."
                          confirmLabel="Disable"
                          disabled={u.id === me?.id || action.pending}
                          onConfirm={() => change(u, { disabled: true }, `${u.email} is disabled.`)}
                        />
                      )}
                      {u.lockedUntil && (
                        <button
                          type="button"
                          className={secondaryButton}
                          aria-label={`Unlock ${u.email}`}
                          disabled={action.pending}
                          onClick={() =>
                            action.run(
                              () => api(`/api/users/${u.id}/unlock`, { method: 'POST', body: {} }),
                              `${u.email} can sign in again.`,
                            )
                          }
                        >
                          Unlock
                        </button>
                      )}
                    </div>
                  ),
                },
              ]}
            />
          </div>
        )}
      </Section>
      {roleChange && (
        <ConfirmDialog
          title={`Change the role of ${roleChange.user.email}?`}
          confirmLabel="Change role"
          destructive={ROLES.indexOf(roleChange.role) < ROLES.indexOf(roleChange.user.role)}
          onConfirm={() =>
            change(
              roleChange.user,
              { role: roleChange.role },
              `${roleChange.user.email} is now ${roleChange.role}.`,
            )
          }
          onClose={() => setRoleChange(null)}
        >
          From {roleChange.user.role} to {roleChange.role}. It applies to their next request.
        </ConfirmDialog>
      )}
      <InvitationsSection />
    </div>
  )
}

function status(user: User): string {
  const parts = [user.disabled ? 'disabled' : 'active']
  if (user.lockedUntil) parts.push(`locked until ${maybeDate(user.lockedUntil)}`)
  if (user.demo) parts.push('demo')
  return parts.join(' · ')
}
