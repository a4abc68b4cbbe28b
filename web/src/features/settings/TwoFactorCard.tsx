import { type FormEvent, useState } from 'react'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { fieldClass, labelClass, primaryButton, secondaryButton } from '../../components/forms.ts'
import { OneTimeSecret } from '../../components/OneTimeSecret.tsx'
import { api } from '../../lib/api.ts'
import { useAction } from '../../lib/useAction.ts'
import { Card } from './Card.tsx'
import { AUTH_SESSION_KEY } from './useAuthSession.ts'

interface Enrolment {
  totpURI: string
  backupCodes: string[]
}

/**
 * Two-factor sign-in with an authenticator app (TOTP). Turning it on takes the password, shows
 * the secret and the backup codes once, and ends with a code from the app; turning it off
 * takes the password.
 */
export function TwoFactorCard({ enabled }: { enabled: boolean }) {
  const action = useAction([AUTH_SESSION_KEY, ['me']])
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null)

  async function start(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const password = new FormData(form).get('password')
    const result = await action.run(
      () => api<Enrolment>('/api/auth/two-factor/enable', { method: 'POST', body: { password } }),
      'Add the key to your authenticator app, then enter the code it shows.',
    )
    if (result) {
      setEnrolment(result)
      form.reset()
    }
  }

  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const code = String(new FormData(event.currentTarget).get('code')).trim()
    const done = await action.run(
      () => api('/api/auth/two-factor/verify-totp', { method: 'POST', body: { code } }),
      'Two-factor sign-in is on.',
    )
    if (done !== undefined) setEnrolment(null)
  }

  async function turnOff(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const password = new FormData(form).get('password')
    const done = await action.run(
      () => api('/api/auth/two-factor/disable', { method: 'POST', body: { password } }),
      'Two-factor sign-in is off.',
    )
    if (done !== undefined) form.reset()
  }

  const status = (
    <p>
      Two-factor sign-in is <strong>{enabled ? 'on' : 'off'}</strong>
      {enabled
        ? ': signing in asks for a code from your authenticator app (or a backup code).'
        : ': signing in needs only your password.'}
    </p>
  )

  if (enrolment)
    return (
      <Card title="Two-factor sign-in" description={status} onSubmit={verify}>
        <p className="text-sm">
          In your authenticator app, add an account by entering this key (time-based, 6 digits, 30 seconds):
        </p>
        <OneTimeSecret label="Key for your authenticator app" value={secretOf(enrolment.totpURI)} />
        <OneTimeSecret label="Setup URI (for apps that accept one)" value={enrolment.totpURI} />
        <OneTimeSecret label="Backup codes" value={enrolment.backupCodes.join('\n')}>
          Each works once if you lose the app. Keep them somewhere safe: they are shown only now.
        </OneTimeSecret>
        <label className={labelClass}>
          Code from your app
          <input
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            required
            className={fieldClass}
          />
        </label>
        <div className="flex flex-wrap gap-2">
          <button type="submit" disabled={action.pending} className={primaryButton}>
            Verify and turn on
          </button>
          <button type="button" className={secondaryButton} onClick={() => setEnrolment(null)}>
            Cancel
          </button>
        </div>
        <ActionStatus action={action} />
      </Card>
    )

  return (
    <Card title="Two-factor sign-in" description={status} onSubmit={enabled ? turnOff : start}>
      <label className={labelClass}>
        Your password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className={fieldClass}
        />
      </label>
      <button type="submit" disabled={action.pending} className={primaryButton}>
        {enabled ? 'Turn off two-factor sign-in' : 'Turn on two-factor sign-in'}
      </button>
      <ActionStatus action={action} />
    </Card>
  )
}

/** The base32 key inside an otpauth:// URI, for typing into an app by hand. */
function secretOf(uri: string): string {
  try {
    return new URL(uri).searchParams.get('secret') ?? uri
  } catch {
    return uri
  }
}
