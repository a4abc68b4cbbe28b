import { type FormEvent, useId, useState } from 'react'
import { fieldClass, inlineFieldClass, labelClass, secondaryButton } from '../../components/forms.ts'
import { api } from '../../lib/api.ts'
import { day } from '../../lib/format.ts'
import type { Action } from '../../lib/useAction.ts'
import { Badge } from './Badges.tsx'
import { incidentPath } from './hooks.ts'
import { ACTION_STATES, type ActionState, type PostmortemAction } from './types.ts'

const actionsPath = (incidentId: string) => `${incidentPath(incidentId)}/postmortem/actions`

/** One action item; managers change its owner, due date and state and save the row. */
function ActionRow(props: { item: PostmortemAction; incidentId: string; canEdit: boolean; action: Action }) {
  const { item, action } = props
  const [owner, setOwner] = useState(item.owner)
  const [dueDate, setDueDate] = useState(item.dueDate)
  const [state, setState] = useState<ActionState>(item.state)
  const ids = { owner: useId(), due: useId(), state: useId() }
  const changed = owner.trim() !== item.owner || dueDate !== item.dueDate || state !== item.state

  async function save(event: FormEvent) {
    event.preventDefault()
    const body: Partial<Pick<PostmortemAction, 'owner' | 'dueDate' | 'state'>> = {}
    if (owner.trim() !== item.owner) body.owner = owner.trim()
    if (dueDate !== item.dueDate) body.dueDate = dueDate
    if (state !== item.state) body.state = state
    await action.run(
      () =>
        api<PostmortemAction>(`${actionsPath(props.incidentId)}/${encodeURIComponent(item.id)}`, {
          method: 'PATCH',
          body,
        }),
      `Action item "${item.title}" saved.`,
    )
  }

  const facts = (
    <p className="flex flex-wrap items-center gap-2 text-stone-600 dark:text-stone-400">
      <span>
        {item.owner} · due {day(item.dueDate)} · {item.state}
      </span>
      {item.overdue && <Badge tone="warn">overdue</Badge>}
    </p>
  )
  return (
    <li className="space-y-2 py-3 text-sm" data-action-item={item.id} data-overdue={item.overdue}>
      <p className="font-medium">{item.title}</p>
      {facts}
      {props.canEdit && (
        <form
          onSubmit={save}
          className="flex flex-wrap items-end gap-2"
          aria-label={`Change "${item.title}"`}
        >
          <div>
            <label htmlFor={ids.owner} className="block text-xs">
              Owner
            </label>
            <input
              id={ids.owner}
              className={inlineFieldClass}
              required
              maxLength={200}
              value={owner}
              onChange={(e) => setOwner(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={ids.due} className="block text-xs">
              Due date
            </label>
            <input
              id={ids.due}
              type="date"
              className={inlineFieldClass}
              required
              value={dueDate}
              onChange={(e) => setDueDate(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={ids.state} className="block text-xs">
              State
            </label>
            <select
              id={ids.state}
              className={inlineFieldClass}
              value={state}
              onChange={(e) => setState(e.target.value as ActionState)}
            >
              {ACTION_STATES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className={secondaryButton} disabled={action.pending || !changed}>
            Save item
          </button>
        </form>
      )}
    </li>
  )
}

function AddAction({ incidentId, action }: { incidentId: string; action: Action }) {
  const empty = { title: '', owner: '', dueDate: '' }
  const [form, setForm] = useState(empty)
  const ids = { title: useId(), owner: useId(), due: useId() }
  async function add(event: FormEvent) {
    event.preventDefault()
    const added = await action.run(
      () =>
        api<PostmortemAction>(actionsPath(incidentId), {
          method: 'POST',
          body: { title: form.title.trim(), owner: form.owner.trim(), dueDate: form.dueDate },
        }),
      'Action item added.',
    )
    if (added) setForm(empty)
  }
  return (
    <form
      onSubmit={add}
      aria-label="Add an action item"
      className="grid gap-2 sm:grid-cols-[2fr_1fr_auto_auto] sm:items-end"
    >
      <div>
        <label htmlFor={ids.title} className={labelClass}>
          New action item
        </label>
        <input
          id={ids.title}
          className={fieldClass}
          required
          maxLength={500}
          pattern=".*\S.*"
          value={form.title}
          onChange={(e) => setForm({ ...form, title: e.target.value })}
        />
      </div>
      <div>
        <label htmlFor={ids.owner} className={labelClass}>
          Owner
        </label>
        <input
          id={ids.owner}
          className={fieldClass}
          required
          maxLength={200}
          pattern=".*\S.*"
          value={form.owner}
          onChange={(e) => setForm({ ...form, owner: e.target.value })}
        />
      </div>
      <div>
        <label htmlFor={ids.due} className={labelClass}>
          Due date
        </label>
        <input
          id={ids.due}
          type="date"
          className={fieldClass}
          required
          value={form.dueDate}
          onChange={(e) => setForm({ ...form, dueDate: e.target.value })}
        />
      </div>
      <button type="submit" className={secondaryButton} disabled={action.pending}>
        Add action item
      </button>
    </form>
  )
}

/** The post-mortem's action items with their owners, due dates and states; overdue ones marked. */
export function PostmortemActions(props: {
  incidentId: string
  items: PostmortemAction[]
  prompt: string | undefined
  canEdit: boolean
  action: Action
}) {
  return (
    <div className="space-y-2">
      <h3 className="text-base font-semibold text-stone-800 dark:text-stone-200">Action items</h3>
      {props.prompt && <p className="text-sm text-stone-600 dark:text-stone-400">{props.prompt}</p>}
      {props.items.length === 0 ? (
        <p className="text-sm text-stone-600 dark:text-stone-400">No action item yet.</p>
      ) : (
        <ul
          aria-label="Action items"
          className="divide-y divide-stone-200 rounded-lg border border-stone-200 bg-white px-3 dark:divide-stone-800 dark:border-stone-800 dark:bg-stone-900"
        >
          {props.items.map((item) => (
            <ActionRow
              key={`${item.id}-${item.updatedAt}`}
              item={item}
              incidentId={props.incidentId}
              canEdit={props.canEdit}
              action={props.action}
            />
          ))}
        </ul>
      )}
      {props.canEdit && <AddAction incidentId={props.incidentId} action={props.action} />}
    </div>
  )
}
