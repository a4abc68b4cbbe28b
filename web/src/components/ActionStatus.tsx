import type { Action } from '../lib/useAction.ts'
import { ErrorState } from './States.tsx'

/** What the last change did: the API's error message, or a short notice read out by screen readers. */
export function ActionStatus({ action }: { action: Action }) {
  return (
    <>
      {action.error && <ErrorState error={action.error} />}
      <p role="status" className="text-sm text-emerald-800 empty:hidden dark:text-emerald-300">
        {action.error ? '' : action.notice}
      </p>
    </>
  )
}
