import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react'
import { fieldClass, labelClass, primaryButton, secondaryButton } from '../../components/forms.ts'
import { api } from '../../lib/api.ts'
import type { Action } from '../../lib/useAction.ts'
import type { Alert } from './types.ts'

/** A modal form: Cancel or Escape closes it; the browser checks required fields before `onSubmit`. */
function FormDialog(props: {
  title: string
  submitLabel: string
  onSubmit: () => void
  onClose: () => void
  children: ReactNode
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])
  const submit = (event: FormEvent) => {
    event.preventDefault()
    props.onSubmit()
    dialog.current?.close()
  }
  return (
    <dialog
      ref={dialog}
      onClose={props.onClose}
      aria-labelledby={titleId}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg bg-white p-6 text-stone-900 backdrop:bg-black/40 dark:bg-stone-900 dark:text-stone-100"
    >
      <form onSubmit={submit} className="space-y-4">
        <h2 id={titleId} className="text-lg font-semibold">
          {props.title}
        </h2>
        {props.children}
        <div className="flex justify-end gap-2">
          <button type="button" className={secondaryButton} onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" className={primaryButton}>
            {props.submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  )
}

/** Acknowledge a firing alert with an optional note: further escalation steps stop. */
export function AcknowledgeButton({ alert, action }: { alert: Alert; action: Action }) {
  const [open, setOpen] = useState(false)
  const [note, setNote] = useState('')
  const noteId = useId()
  const acknowledge = () =>
    action.run(
      () =>
        api(`/api/alerts/${alert.id}/ack`, {
          method: 'POST',
          body: note.trim() ? { note: note.trim() } : {},
        }),
      `${alert.ruleName} is acknowledged.`,
    )
  return (
    <>
      <button
        type="button"
        className={secondaryButton}
        aria-label={`Acknowledge ${alert.ruleName}`}
        disabled={action.pending}
        onClick={() => setOpen(true)}
      >
        Acknowledge
      </button>
      {open && (
        <FormDialog
          title={`Acknowledge ${alert.ruleName}`}
          submitLabel="Acknowledge"
          onSubmit={acknowledge}
          onClose={() => {
            setOpen(false)
            setNote('')
          }}
        >
          <p className="text-sm text-stone-700 dark:text-stone-300">
            Further escalation steps stop; the alert still resolves and says so.
          </p>
          <div>
            <label htmlFor={noteId} className={labelClass}>
              Note (optional)
            </label>
            <textarea
              id={noteId}
              className={fieldClass}
              rows={3}
              maxLength={2000}
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
          </div>
        </FormDialog>
      )}
    </>
  )
}

/** Choices of how long a silence lasts, in minutes; 0 = until the alert resolves. */
const DURATIONS: [number, string][] = [
  [30, '30 minutes'],
  [60, '1 hour'],
  [120, '2 hours'],
  [240, '4 hours'],
  [480, '8 hours'],
  [1440, '24 hours'],
  [0, 'Until it resolves'],
]

/** Silence one alert for a while or until it resolves: notifications wait, the state stays visible. */
export function SilenceButton({ alert, action }: { alert: Alert; action: Action }) {
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [minutes, setMinutes] = useState(60)
  const reasonId = useId()
  const durationId = useId()
  const silence = () =>
    action.run(
      () =>
        api(`/api/alerts/${alert.id}/silence`, {
          method: 'POST',
          body:
            minutes === 0
              ? { reason: reason.trim(), untilResolved: true }
              : { reason: reason.trim(), minutes },
        }),
      `${alert.ruleName} is silenced.`,
    )
  return (
    <>
      <button
        type="button"
        className={secondaryButton}
        aria-label={`Silence ${alert.ruleName}`}
        disabled={action.pending}
        onClick={() => setOpen(true)}
      >
        Silence
      </button>
      {open && (
        <FormDialog
          title={`Silence ${alert.ruleName}`}
          submitLabel="Silence"
          onSubmit={silence}
          onClose={() => {
            setOpen(false)
            setReason('')
          }}
        >
          <p className="text-sm text-stone-700 dark:text-stone-300">
            Notifications wait while it is silenced; the alert still fires, shows and resolves.
          </p>
          <div>
            <label htmlFor={reasonId} className={labelClass}>
              Reason
            </label>
            <input
              id={reasonId}
              className={fieldClass}
              required
              maxLength={1000}
              pattern=".*\S.*"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={durationId} className={labelClass}>
              For
            </label>
            <select
              id={durationId}
              className={fieldClass}
              value={minutes}
              onChange={(e) => setMinutes(Number(e.target.value))}
            >
              {DURATIONS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </FormDialog>
      )}
    </>
  )
}
