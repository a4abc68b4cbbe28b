import { type FormEvent, useId, useState } from 'react'
import { Link } from 'wouter'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { cardClass, fieldClass, labelClass, primaryButton, secondaryButton } from '../../components/forms.ts'
import { ErrorState, Loading } from '../../components/States.tsx'
import { api } from '../../lib/api.ts'
import { useAction } from '../../lib/useAction.ts'
import { SeverityBadge } from './Badges.tsx'
import { INCIDENTS_KEY, useSuggestion } from './hooks.ts'
import { SeverityHelp } from './SeverityHelp.tsx'
import { STATUS_LABEL } from './show.ts'
import { type Incident, type NewIncident, SEVERITIES, type Severity, STATUSES, type Status } from './types.ts'

/** A comma-separated list as the API's array, blanks dropped. */
const listOf = (text: string) =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)

/** The severity the current signals suggest, with the reason and a one-click "use suggestion". */
function SuggestedSeverity({ current, onUse }: { current: Severity; onUse: (severity: Severity) => void }) {
  const suggestion = useSuggestion(true)
  if (suggestion.isPending) return <Loading label="Reading the current signals…" />
  if (suggestion.isError) return <ErrorState error={suggestion.error} retry={() => suggestion.refetch()} />
  const { severity, reason } = suggestion.data
  return (
    <div
      className="flex flex-wrap items-center gap-2 rounded-md bg-stone-100 p-2 text-sm dark:bg-stone-800"
      data-suggestion={severity}
    >
      <span>Suggested:</span>
      <SeverityBadge severity={severity} />
      <span className="text-stone-700 dark:text-stone-300">{reason}</span>
      {current === severity ? (
        <span className="text-stone-600 dark:text-stone-400">(selected)</span>
      ) : (
        <button type="button" className={secondaryButton} onClick={() => onUse(severity)}>
          Use suggestion
        </button>
      )}
    </div>
  )
}

const EMPTY = {
  title: '',
  severity: 'P2' as Severity,
  status: 'investigating' as Status,
  security: false,
  impact: '',
  lead: '',
  components: '',
}

/** Managers open an incident: the runbook's title, severity and status, and what else is known. */
export function NewIncidentForm({ onClose }: { onClose: () => void }) {
  const [form, setForm] = useState(EMPTY)
  const [opened, setOpened] = useState<Incident | null>(null)
  const action = useAction([INCIDENTS_KEY])
  const ids = {
    title: useId(),
    severity: useId(),
    help: useId(),
    status: useId(),
    security: useId(),
    impact: useId(),
    lead: useId(),
    leadHint: useId(),
    components: useId(),
    componentsHint: useId(),
  }
  const set = (patch: Partial<typeof EMPTY>) => setForm((current) => ({ ...current, ...patch }))

  async function submit(event: FormEvent) {
    event.preventDefault()
    const body: NewIncident = {
      title: form.title.trim(),
      severity: form.severity,
      status: form.status,
      kind: form.security ? 'security' : 'standard',
    }
    if (form.impact.trim()) body.impact = form.impact.trim()
    if (form.lead.trim()) body.lead = form.lead.trim()
    const components = listOf(form.components)
    if (components.length > 0) body.components = components
    setOpened(null)
    const created = await action.run(
      () => api<Incident>('/api/incidents', { method: 'POST', body }),
      'Incident opened.',
    )
    if (created) {
      setOpened(created)
      setForm(EMPTY)
    }
  }

  return (
    <form onSubmit={submit} className={cardClass} aria-labelledby={`${ids.title}-heading`}>
      <h2 id={`${ids.title}-heading`} className="text-lg font-semibold">
        New incident
      </h2>
      <div>
        <label htmlFor={ids.title} className={labelClass}>
          Title
        </label>
        <input
          id={ids.title}
          className={fieldClass}
          required
          maxLength={200}
          pattern=".*\S.*"
          value={form.title}
          onChange={(e) => set({ title: e.target.value })}
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <div>
          <label htmlFor={ids.severity} className={labelClass}>
            Severity
          </label>
          <select
            id={ids.severity}
            className={fieldClass}
            aria-describedby={ids.help}
            value={form.severity}
            onChange={(e) => set({ severity: e.target.value as Severity })}
          >
            {SEVERITIES.map((severity) => (
              <option key={severity} value={severity}>
                {severity}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={ids.status} className={labelClass}>
            Status
          </label>
          <select
            id={ids.status}
            className={fieldClass}
            value={form.status}
            onChange={(e) => set({ status: e.target.value as Status })}
          >
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABEL[status]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <SuggestedSeverity current={form.severity} onUse={(severity) => set({ severity })} />
      <SeverityHelp id={ids.help} />
      <div className="flex items-center gap-2">
        <input
          id={ids.security}
          type="checkbox"
          className="h-4 w-4 accent-amber-700"
          checked={form.security}
          onChange={(e) => set({ security: e.target.checked })}
        />
        <label htmlFor={ids.security} className="text-sm">
          Security incident (adds the data-breach checklist)
        </label>
      </div>
      <div>
        <label htmlFor={ids.impact} className={labelClass}>
          Impact
        </label>
        <textarea
          id={ids.impact}
          className={fieldClass}
          rows={3}
          maxLength={5000}
          value={form.impact}
          onChange={(e) => set({ impact: e.target.value })}
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <div>
          <label htmlFor={ids.lead} className={labelClass}>
            Lead
          </label>
          <input
            id={ids.lead}
            className={fieldClass}
            aria-describedby={ids.leadHint}
            maxLength={320}
            value={form.lead}
            onChange={(e) => set({ lead: e.target.value })}
          />
          <p id={ids.leadHint} className="mt-1 text-xs text-stone-600 dark:text-stone-400">
            A user's email address; left empty, whoever acknowledges first leads.
          </p>
        </div>
        <div>
          <label htmlFor={ids.components} className={labelClass}>
            Components
          </label>
          <input
            id={ids.components}
            className={fieldClass}
            aria-describedby={ids.componentsHint}
            value={form.components}
            onChange={(e) => set({ components: e.target.value })}
          />
          <p id={ids.componentsHint} className="mt-1 text-xs text-stone-600 dark:text-stone-400">
            Comma-separated, e.g. the services affected.
          </p>
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className={primaryButton} disabled={action.pending}>
          Open incident
        </button>
        <button type="button" className={secondaryButton} onClick={onClose}>
          Close
        </button>
      </div>
      {action.error ? (
        <ActionStatus action={action} />
      ) : (
        <p role="status" className="text-sm text-emerald-800 empty:hidden dark:text-emerald-300">
          {opened && (
            <>
              Incident #{opened.id} is open:{' '}
              <Link href={`/incidents/${opened.id}`} className="underline">
                {opened.title}
              </Link>
            </>
          )}
        </p>
      )}
    </form>
  )
}
