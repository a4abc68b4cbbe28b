import { type FormEvent, useId, useState } from 'react'
import { atLeast, type Me } from '../../app/session.ts'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { fieldClass, inlineFieldClass, labelClass, secondaryButton } from '../../components/forms.ts'
import { api } from '../../lib/api.ts'
import type { Action } from '../../lib/useAction.ts'
import { incidentPath } from './hooks.ts'
import { STATUS_LABEL } from './show.ts'
import {
  type Incident,
  type IncidentPatch,
  SEVERITIES,
  type Severity,
  STATUSES,
  type Status,
} from './types.ts'

/** A select and its button: the change is sent only when asked, never on a mere change of the select. */
function ChangeField<T extends string>(props: {
  label: string
  current: T
  options: T[]
  optionLabel: (value: T) => string
  button: string
  disabled: boolean
  onChange: (value: T) => void
}) {
  const [value, setValue] = useState<T>(props.current)
  const id = useId()
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault()
        props.onChange(value)
      }}
    >
      <div>
        <label htmlFor={id} className="block text-sm">
          {props.label}
        </label>
        <select
          id={id}
          className={inlineFieldClass}
          value={value}
          onChange={(e) => setValue(e.target.value as T)}
        >
          {props.options.map((option) => (
            <option key={option} value={option}>
              {props.optionLabel(option)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className={secondaryButton} disabled={props.disabled || value === props.current}>
        {props.button}
      </button>
    </form>
  )
}

function NoteForm({ incident, action }: { incident: Incident; action: Action }) {
  const [text, setText] = useState('')
  const id = useId()
  async function submit(event: FormEvent) {
    event.preventDefault()
    const added = await action.run(
      () => api(`${incidentPath(incident.id)}/notes`, { method: 'POST', body: { text: text.trim() } }),
      'Note added to the timeline.',
    )
    if (added) setText('')
  }
  return (
    <form onSubmit={submit} className="space-y-2">
      <label htmlFor={id} className={labelClass}>
        Note
      </label>
      <textarea
        id={id}
        className={fieldClass}
        rows={3}
        required
        maxLength={5000}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className={secondaryButton} disabled={action.pending || !text.trim()}>
        Add note
      </button>
    </form>
  )
}

/**
 * What the reader's role allows: operators acknowledge (while unacknowledged) and add notes;
 * managers change status and severity. Viewers get nothing here.
 */
export function IncidentActions({ incident, me, action }: { incident: Incident; me: Me; action: Action }) {
  if (!atLeast(me, 'operator')) return null
  const manager = atLeast(me, 'manager')
  const patch = (body: IncidentPatch, done: string) =>
    action.run(() => api<Incident>(incidentPath(incident.id), { method: 'PATCH', body }), done)
  return (
    <section aria-labelledby="incident-actions-title" className="space-y-3">
      <h2 id="incident-actions-title" className="text-lg font-semibold">
        Actions
      </h2>
      <ActionStatus action={action} />
      <div className="flex flex-wrap items-end gap-4">
        {!incident.acknowledgedAt && incident.status !== 'resolved' && (
          <button
            type="button"
            className={secondaryButton}
            disabled={action.pending}
            onClick={() =>
              action.run(
                () => api<Incident>(`${incidentPath(incident.id)}/ack`, { method: 'POST' }),
                'Acknowledged: escalation stops.',
              )
            }
          >
            Acknowledge
          </button>
        )}
        {manager && (
          <>
            <ChangeField<Status>
              key={`status-${incident.status}`}
              label="New status"
              current={incident.status}
              options={STATUSES}
              optionLabel={(s) => STATUS_LABEL[s]}
              button="Change status"
              disabled={action.pending}
              onChange={(status) => patch({ status }, `Status changed to ${STATUS_LABEL[status]}.`)}
            />
            <ChangeField<Severity>
              key={`severity-${incident.severity}`}
              label="New severity"
              current={incident.severity}
              options={SEVERITIES}
              optionLabel={(s) => s}
              button="Change severity"
              disabled={action.pending}
              onChange={(severity) => patch({ severity }, `Severity changed to ${severity}.`)}
            />
          </>
        )}
      </div>
      <NoteForm incident={incident} action={action} />
    </section>
  )
}
