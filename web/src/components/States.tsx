import type { ReactNode } from 'react'
import { ApiError } from '../lib/api.ts'

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" data-loading className="animate-pulse p-4 text-sm text-stone-500 dark:text-stone-400">
      {label}
    </p>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="p-4 text-sm text-stone-500 dark:text-stone-400">{children}</p>
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof ApiError ? error.message : 'Something went wrong'
  return (
    <div
      role="alert"
      className="rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <p>{message}</p>
      {retry && (
        <button type="button" onClick={retry} className="mt-2 font-medium underline">
          Try again
        </button>
      )}
    </div>
  )
}
