import { type ReactNode, useEffect, useId, useRef, useState } from 'react'
import { dangerButton, primaryButton, secondaryButton } from './forms.ts'

/**
 * A modal question before a change: Cancel comes first, so it has the focus, and Escape
 * cancels. `onClose` runs however the dialog closes; `onConfirm` only on the confirm button.
 */
export function ConfirmDialog(props: {
  title: string
  children: ReactNode
  confirmLabel: string
  destructive?: boolean
  onConfirm: () => void
  onClose: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])
  return (
    <dialog
      ref={dialog}
      onClose={props.onClose}
      aria-labelledby={titleId}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg bg-white p-6 text-stone-900 backdrop:bg-black/40 dark:bg-stone-900 dark:text-stone-100"
    >
      <h2 id={titleId} className="text-lg font-semibold">
        {props.title}
      </h2>
      <div className="mt-2 text-sm text-stone-700 dark:text-stone-300">{props.children}</div>
      <div className="mt-6 flex justify-end gap-2">
        <button type="button" className={secondaryButton} onClick={() => dialog.current?.close()}>
          Cancel
        </button>
        <button
          type="button"
          className={props.destructive ? `${dangerButton} py-2` : primaryButton}
          onClick={() => {
            props.onConfirm()
            dialog.current?.close()
          }}
        >
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  )
}

/** A button that asks first (see ConfirmDialog) and then runs `onConfirm`. */
export function ConfirmButton(props: {
  label: string
  /** The button's accessible name when its text alone is ambiguous (a row's "Revoke"). */
  name?: string
  title: string
  message: ReactNode
  confirmLabel: string
  onConfirm: () => void
  disabled?: boolean
}) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type="button"
        aria-label={props.name}
        className={dangerButton}
        disabled={props.disabled}
        onClick={() => setOpen(true)}
      >
        {props.label}
      </button>
      {open && (
        <ConfirmDialog
          title={props.title}
          confirmLabel={props.confirmLabel}
          destructive
          onConfirm={props.onConfirm}
          onClose={() => setOpen(false)}
        >
          {props.message}
        </ConfirmDialog>
      )}
    </>
  )
}
