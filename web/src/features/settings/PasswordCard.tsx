import { type FormEvent, useState } from 'react'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { fieldClass, labelClass, primaryButton } from '../../components/forms.ts'
import { ErrorState } from '../../components/States.tsx'
import { ApiError, api } from '../../lib/api.ts'
import { PASSWORD_MAX, PASSWORD_MIN } from '../../lib/password.ts'
import { useAction } from '../../lib/useAction.ts'
import { Card } from './Card.tsx'

/** Change your own password with the current one; other sessions are signed out unless you say not to. */
export function PasswordCard() {
  const action = useAction([])
  const [mismatch, setMismatch] = useState(false)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const newPassword = String(data.get('newPassword'))
    setMismatch(newPassword !== data.get('repeat'))
    if (newPassword !== data.get('repeat')) return
    const revokeOtherSessions = data.get('revokeOthers') === 'on'
    const done = await action.run(
      () =>
        api('/api/auth/change-password', {
          method: 'POST',
          body: { currentPassword: data.get('currentPassword'), newPassword, revokeOtherSessions },
        }),
      revokeOtherSessions ? 'Password changed; your other sessions are signed out.' : 'Password changed.',
    )
    if (done !== undefined) form.reset()
  }

  return (
    <Card
      title="Password"
      description={`${PASSWORD_MIN} to ${PASSWORD_MAX} characters; a few unrelated words make a good one.`}
      onSubmit={submit}
    >
      <label className={labelClass}>
        Current password
        <input
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          className={fieldClass}
        />
      </label>
      <label className={labelClass}>
        New password
        <input
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN}
          maxLength={PASSWORD_MAX}
          className={fieldClass}
        />
      </label>
      <label className={labelClass}>
        Repeat the new password
        <input
          name="repeat"
          type="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN}
          maxLength={PASSWORD_MAX}
          className={fieldClass}
        />
      </label>
      <label className="flex items-center gap-2 text-sm">
        <input name="revokeOthers" type="checkbox" defaultChecked />
        Sign out my other sessions
      </label>
      {mismatch && <ErrorState error={new ApiError(0, 'MISMATCH', 'The two new passwords differ.')} />}
      <button type="submit" disabled={action.pending} className={primaryButton}>
        Change password
      </button>
      <ActionStatus action={action} />
    </Card>
  )
}
