import { useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { ErrorState } from '../../components/States.tsx'
import { ApiError, api } from '../../lib/api.ts'

interface AuthConfig {
  password: boolean
  oidc: { enabled: boolean; name?: string; providerId?: string }
}

const field =
  'mt-1 block w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-stone-900 focus:outline-2 focus:outline-amber-600 dark:border-stone-600 dark:bg-stone-900 dark:text-stone-100'
const button =
  'w-full rounded-md bg-amber-700 px-4 py-2 font-medium text-white hover:bg-amber-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-600 disabled:opacity-60'

/** Email and password, then the TOTP code when the account has two-factor sign-in; OIDC when configured. */
export function SignInPage() {
  const client = useQueryClient()
  const config = useQuery({ queryKey: ['auth-config'], queryFn: () => api<AuthConfig>('/api/auth-config') })
  const [step, setStep] = useState<'password' | 'code'>('password')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setBusy(true)
    setError(null)
    try {
      if (step === 'password') {
        const result = await api<{ twoFactorRedirect?: boolean }>('/api/auth/sign-in/email', {
          method: 'POST',
          body: { email: form.get('email'), password: form.get('password') },
        })
        if (result?.twoFactorRedirect) {
          setStep('code')
          return
        }
      } else {
        await api('/api/auth/two-factor/verify-totp', { method: 'POST', body: { code: form.get('code') } })
      }
      await client.invalidateQueries({ queryKey: ['me'] })
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }

  async function signInWithOidc(providerId: string) {
    try {
      const { url } = await api<{ url: string }>('/api/auth/sign-in/oauth2', {
        method: 'POST',
        body: { providerId, callbackURL: '/' },
      })
      window.location.assign(url)
    } catch (caught) {
      setError(caught)
    }
  }

  return (
    <main className="flex min-h-screen items-center justify-center bg-stone-100 p-4 dark:bg-stone-950">
      <div className="w-full max-w-sm rounded-xl bg-white p-8 shadow-sm dark:bg-stone-900">
        <h1 className="text-xl font-semibold text-stone-900 dark:text-stone-100">Sentia Manufacturing</h1>
        <p className="mt-1 text-sm text-stone-600 dark:text-stone-400">
          {step === 'password' ? 'Sign in to the dashboard' : 'Enter the code from your authenticator app'}
        </p>
        <form className="mt-6 space-y-4" onSubmit={submit}>
          {step === 'password' ? (
            <>
              <label className="block text-sm font-medium text-stone-800 dark:text-stone-200">
                Email
                <input name="email" type="email" autoComplete="username" required className={field} />
              </label>
              <label className="block text-sm font-medium text-stone-800 dark:text-stone-200">
                Password
                <input
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                  className={field}
                />
              </label>
            </>
          ) : (
            <label className="block text-sm font-medium text-stone-800 dark:text-stone-200">
              Code
              <input
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                required
                className={field}
              />
            </label>
          )}
          {error !== null && (
            <ErrorState error={error instanceof ApiError ? error : new ApiError(0, 'X', 'Sign-in failed')} />
          )}
          <button type="submit" disabled={busy} className={button}>
            {step === 'password' ? 'Sign in' : 'Verify'}
          </button>
        </form>
        {step === 'password' && config.data?.oidc.enabled && config.data.oidc.providerId && (
          <button
            type="button"
            className="mt-4 w-full rounded-md border border-stone-300 px-4 py-2 font-medium text-stone-800 hover:bg-stone-50 dark:border-stone-600 dark:text-stone-100 dark:hover:bg-stone-800"
            onClick={() => signInWithOidc(config.data!.oidc.providerId!)}
          >
            Sign in with {config.data.oidc.name ?? 'single sign-on'}
          </button>
        )}
      </div>
    </main>
  )
}
