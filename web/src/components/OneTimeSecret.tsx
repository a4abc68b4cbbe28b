import { type ReactNode, useId, useState } from 'react'
import { secondaryButton } from './forms.ts'

/**
 * A value the server shows only once (an API key, an invitation link, a two-factor secret): in
 * a selectable box with a copy button. Without clipboard access (plain http off localhost) the
 * reader is told to select and copy it by hand.
 */
export function OneTimeSecret(props: {
  label: string
  value: string
  children?: ReactNode
  onDone?: () => void
}) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no')
  const labelId = useId()
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.value)
      setCopied('yes')
    } catch {
      setCopied('failed')
    }
  }
  return (
    <section
      aria-labelledby={labelId}
      className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-stone-900 dark:border-amber-800 dark:bg-amber-950 dark:text-stone-100"
    >
      <h3 id={labelId} className="font-medium">
        {props.label}
      </h3>
      <code className="block rounded bg-white px-2 py-1 font-mono break-all whitespace-pre-wrap select-all dark:bg-stone-900">
        {props.value}
      </code>
      {props.children && <div className="text-stone-700 dark:text-stone-300">{props.children}</div>}
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={secondaryButton} onClick={copy} aria-label={`Copy ${props.label}`}>
          Copy
        </button>
        {props.onDone && (
          <button type="button" className={secondaryButton} onClick={props.onDone}>
            Done
          </button>
        )}
        <span role="status" className="text-stone-700 dark:text-stone-300">
          {copied === 'yes'
            ? 'Copied.'
            : copied === 'failed'
              ? 'Copying failed: select the text and copy it.'
              : ''}
        </span>
      </div>
    </section>
  )
}
