import type { FormEvent } from 'react'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { fieldClass, labelClass, primaryButton } from '../../components/forms.ts'
import { api } from '../../lib/api.ts'
import { useAction } from '../../lib/useAction.ts'
import { Card } from './Card.tsx'
import { AUTH_SESSION_KEY, type AuthUser } from './useAuthSession.ts'

/** The name is yours to change; the email is the sign-in name and stays as the admin set it. */
export function ProfileCard({ user }: { user: AuthUser }) {
  const action = useAction([AUTH_SESSION_KEY])
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const name = String(new FormData(event.currentTarget).get('name')).trim()
    void action.run(() => api('/api/auth/update-user', { method: 'POST', body: { name } }), 'Name saved.')
  }
  return (
    <Card title="Profile" onSubmit={submit}>
      <label className={labelClass}>
        Name
        <input name="name" required maxLength={100} defaultValue={user.name} className={fieldClass} />
      </label>
      <label className={labelClass}>
        Email
        <input
          value={user.email}
          readOnly
          aria-describedby="email-hint"
          className="mt-1 block w-full rounded-md border border-stone-300 bg-stone-100 px-3 py-2 text-sm text-stone-800 dark:border-stone-600 dark:bg-stone-800 dark:text-stone-200"
        />
      </label>
      <p id="email-hint" className="text-xs text-stone-600 dark:text-stone-400">
        Your email is your sign-in name and cannot be changed here.
      </p>
      <button type="submit" disabled={action.pending} className={primaryButton}>
        Save name
      </button>
      <ActionStatus action={action} />
    </Card>
  )
}
