import { useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { Link, useLocation } from 'wouter'
import { fieldClass, labelClass, primaryButton } from '../../components/forms.ts'
import { ErrorState, Loading } from '../../components/States.tsx'
import { ApiError, api } from '../../lib/api.ts'
import { dateTime } from '../../lib/format.ts'
import { PASSWORD_MAX, PASSWORD_MIN } from '../../lib/password.ts'

interface Invitation {
  email: string
  role: string
  expiresAt: string
}

/**
 * /accept-invitation#TOKEN, open to anyone: the token (in the fragment, so no server log sees
 * it) is looked up, the invited person picks a name and a password, and is then signed in.
 */
export function AcceptInvitationPage() {
  const client = useQueryClient()
  const [, navigate] = useLocation()
  const [token] = useState(() => window.location.hash.slice(1))
  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api<Invitation>('/api/invitations/lookup', { method: 'POST', body: { token } }),
    enabled: token.length > 0,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  })
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  // Accepted but not yet signed in (sign-in failed): a second try only signs in.
  const [accepted, setAccepted] = useState<string | null>(null)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const password = String(form.get('password'))
    setError(null)
    if (password !== form.get('repeat')) {
      setError(new ApiError(0, 'MISMATCH', 'The two passwords differ.'))
      return
    }
    setBusy(true)
    try {
      let email = accepted
      if (!email) {
        const user = await api<{ email: string }>('/api/invitations/accept', {
          method: 'POST',
          body: { token, name: String(form.get('name')).trim(), password },
        })
        email = user.email
        setAccepted(email)
      }
      await api('/api/auth/sign-in/email', { method: 'POST', body: { email, password } })
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' })
      await client.invalidateQueries({ queryKey: ['me'] })
      navigate('/', { replace: true })
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="flex min-h-screen items-center justify-center bg-stone-100 p-4 text-stone-900 dark:bg-stone-950 dark:text-stone-100">
      <div className="w-full max-w-sm space-y-4 rounded-xl bg-white p-8 shadow-sm dark:bg-stone-900">
        <h1 className="text-xl font-semibold">Accept your invitation</h1>
        {!token ? (
          <ErrorState
            error={
              new ApiError(
                0,
                'NO_TOKEN',
                'This link has no invitation in it: open the whole link you were sent.',
              )
            }
          />
        ) : invitation.isPending ? (
          <Loading label="Checking the invitation…" />
        ) : invitation.isError ? (
          <ErrorState error={invitation.error} />
        ) : (
          <>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-stone-600 dark:text-stone-400">Email</dt>
              <dd className="break-all">{invitation.data.email}</dd>
              <dt className="text-stone-600 dark:text-stone-400">Role</dt>
              <dd>{invitation.data.role}</dd>
              <dt className="text-stone-600 dark:text-stone-400">Valid until</dt>
              <dd>{dateTime(invitation.data.expiresAt)}</dd>
            </dl>
            <form className="space-y-4" onSubmit={submit}>
              <label className={labelClass}>
                Your name
                <input name="name" required maxLength={100} autoComplete="name" className={fieldClass} />
              </label>
              <label className={labelClass}>
                Password
                <input
                  name="password"
                  type="password"
                  autoComplete="new-password"
                  required
                  minLength={PASSWORD_MIN}
                  maxLength={PASSWORD_MAX}
                  aria-describedby="password-hint"
                  className={fieldClass}
                />
              </label>
              <p id="password-hint" className="text-xs text-stone-600 dark:text-stone-400">
                {PASSWORD_MIN} to {PASSWORD_MAX} characters.
              </p>
              <label className={labelClass}>
                Repeat the password
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
              {error !== null && <ErrorState error={error} />}
              <button type="submit" disabled={busy} className={`${primaryButton} w-full`}>
                Accept and sign in
              </button>
            </form>
          </>
        )}
        <Link href="/" className="block text-sm font-medium text-amber-800 underline dark:text-amber-300">
          Sign in instead
        </Link>
      </div>
    </main>
  )
}
