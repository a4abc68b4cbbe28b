import { useId, useState } from 'react'
import { useMe } from '../../app/session.ts'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { api } from '../../lib/api.ts'
import type { Action } from '../../lib/useAction.ts'
import { Badge } from './Badges.tsx'
import { incidentPath } from './hooks.ts'
import { phaseLabel, when, who } from './show.ts'
import type { ChecklistStep, IncidentDetail } from './types.ts'

/** The steps in the server's order, grouped by phase (1 h, 24 h, 72 h) in order of first appearance. */
function byPhase(steps: ChecklistStep[]): [string, ChecklistStep[]][] {
  const groups = new Map<string, ChecklistStep[]>()
  for (const step of steps) groups.set(step.phase, [...(groups.get(step.phase) ?? []), step])
  return [...groups.entries()]
}

function Step(props: {
  step: ChecklistStep
  canTick: boolean
  onTick: (done: boolean) => Promise<unknown>
  busy: boolean
}) {
  const { step } = props
  const id = useId()
  // The box shows the click at once; the server's answer (a refetch, which remounts the step) settles it.
  const [ticked, setTicked] = useState<boolean | null>(null)
  const tick = async (done: boolean) => {
    setTicked(done)
    if ((await props.onTick(done)) === undefined) setTicked(null)
  }
  const meId = useMe().data?.id
  return (
    <li
      className="flex flex-wrap items-start gap-x-3 gap-y-1 py-2"
      data-step={step.key}
      data-done={step.doneAt ? 'true' : 'false'}
    >
      {props.canTick ? (
        <input
          id={id}
          type="checkbox"
          className="mt-0.5 h-4 w-4 accent-amber-700"
          checked={ticked ?? step.doneAt !== null}
          disabled={props.busy}
          onChange={(e) => tick(e.target.checked)}
        />
      ) : (
        <span aria-hidden="true" className="w-4 text-center">
          {step.doneAt ? '✓' : '○'}
        </span>
      )}
      <div className="min-w-0 flex-1 text-sm">
        {props.canTick ? (
          <label htmlFor={id} className="font-medium">
            {step.title}
          </label>
        ) : (
          <p className="font-medium">
            {step.title}
            <span className="sr-only">{step.doneAt ? ' (done)' : ' (not done)'}</span>
          </p>
        )}
        <p className="flex flex-wrap items-center gap-2 text-stone-600 dark:text-stone-400">
          <span>
            due <time dateTime={step.dueAt}>{when(step.dueAt)}</time>
          </span>
          {step.overdue && <Badge tone="warn">overdue</Badge>}
          {step.doneAt && (
            <span>
              done <time dateTime={step.doneAt}>{when(step.doneAt)}</time>
              {step.doneBy ? ` by ${who(step.doneBy, meId)}` : ''}
            </span>
          )}
        </p>
        {step.note && <p className="text-stone-700 dark:text-stone-300">Note: {step.note}</p>}
      </div>
    </li>
  )
}

/** A security incident's data-breach response, each step due from detection; operators tick steps off. */
export function SecurityChecklist(props: { incident: IncidentDetail; canTick: boolean; action: Action }) {
  const { incident, action } = props
  const tick = (step: ChecklistStep, done: boolean) =>
    action.run(
      () =>
        api(`${incidentPath(incident.id)}/checklist/${encodeURIComponent(step.key)}`, {
          method: 'POST',
          body: { done },
        }),
      `${step.title}: ${done ? 'done' : 'reopened'}.`,
    )
  return (
    <section aria-labelledby="checklist-title" className="space-y-3">
      <h2 id="checklist-title" className="text-lg font-semibold">
        Data-breach checklist
      </h2>
      <ActionStatus action={action} />
      {byPhase(incident.checklist).map(([phase, steps]) => (
        <div key={phase}>
          <h3 className="text-base font-semibold text-stone-800 dark:text-stone-200">{phaseLabel(phase)}</h3>
          <ul
            aria-label={phaseLabel(phase)}
            className="divide-y divide-stone-200 rounded-lg border border-stone-200 bg-white px-3 dark:divide-stone-800 dark:border-stone-800 dark:bg-stone-900"
          >
            {steps.map((step) => (
              <Step
                key={`${step.key}-${step.doneAt}`}
                step={step}
                canTick={props.canTick}
                busy={action.pending}
                onTick={(done) => tick(step, done)}
              />
            ))}
          </ul>
        </div>
      ))}
    </section>
  )
}
