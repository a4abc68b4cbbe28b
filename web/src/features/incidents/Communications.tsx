import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { type FormEvent, useId, useState } from 'react'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import {
  fieldClass,
  inlineFieldClass,
  labelClass,
  primaryButton,
  secondaryButton,
} from '../../components/forms.ts'
import { ErrorState, Loading } from '../../components/States.tsx'
import { api } from '../../lib/api.ts'
import { useAction } from '../../lib/useAction.ts'
import { INCIDENTS_KEY, incidentPath } from './hooks.ts'
import type { ChannelList, IncidentDetail, MessagePreview, MessageResult, Template } from './types.ts'

const TEMPLATES: [Template, string][] = [
  ['initial', 'Initial alert'],
  ['update', 'Status update'],
  ['resolution', 'Resolution'],
]

/**
 * The template rendered from the incident as it is now: a new render on every change of the
 * incident (its `updatedAt`), the last one shown meanwhile. Kept out of the 'incidents' key, which
 * the live refresh invalidates: the change of `updatedAt` is what asks for a new render.
 */
const usePreview = (incident: IncidentDetail, template: Template) =>
  useQuery({
    queryKey: ['incident-message', incident.id, template, incident.updatedAt],
    queryFn: () => api<MessagePreview>(`${incidentPath(incident.id)}/messages/${template}`),
    staleTime: Number.POSITIVE_INFINITY,
    placeholderData: keepPreviousData,
  })

/** Configured notification channels; operators and up may read them (the API refuses viewers). */
const useChannelNames = (enabled: boolean) =>
  useQuery({
    queryKey: ['incidents', 'channels'],
    queryFn: () => api<ChannelList>('/api/notifications/channels'),
    enabled,
    select: (list) => list.items,
  })

function Result({ result }: { result: MessageResult }) {
  return (
    <div role="status" className="space-y-1 text-sm" data-message-result>
      <p className="text-emerald-800 dark:text-emerald-300">
        Queued for {result.queued} of {result.channels.length} channel
        {result.channels.length === 1 ? '' : 's'}: {result.channels.join(', ')}.
      </p>
      {result.unreached.length > 0 && (
        <ul className="ml-4 list-disc text-red-800 dark:text-red-300">
          {result.unreached.map((u) => (
            <li key={u.channel}>
              Not sent to {u.channel}: {u.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

/**
 * The editable message: title, text and channels, sent by managers; others read the preview.
 * What the sender edited stays while the incident changes; the rest follows the latest render.
 */
function MessageEditor(props: { incident: IncidentDetail; preview: MessagePreview; canSend: boolean }) {
  const { incident, preview, canSend } = props
  const [edited, setEdited] = useState<{ title?: string; text?: string }>({})
  const [chosen, setChosen] = useState<string[]>(preview.channels)
  const [result, setResult] = useState<MessageResult | null>(null)
  const configured = useChannelNames(canSend)
  const action = useAction([INCIDENTS_KEY])
  const ids = { title: useId(), text: useId(), hint: useId() }
  const title = edited.title ?? preview.title
  const text = edited.text ?? preview.text
  const names = [...new Set([...(configured.data ?? []).map((c) => c.name), ...preview.channels])]
  const left = preview.placeholders.filter((p) => text.includes(p) || title.includes(p))
  const isEdited = edited.title !== undefined || edited.text !== undefined

  async function send(event: FormEvent) {
    event.preventDefault()
    setResult(null)
    const sent = await action.run(
      () =>
        api<MessageResult>(`${incidentPath(incident.id)}/messages`, {
          method: 'POST',
          body: { template: preview.template, title: title.trim(), text, channels: chosen },
        }),
      '',
    )
    if (sent) {
      setResult(sent)
      setEdited({})
    }
  }

  return (
    <form onSubmit={send} className="space-y-3">
      <div>
        <label htmlFor={ids.title} className={labelClass}>
          Message title
        </label>
        <input
          id={ids.title}
          className={fieldClass}
          readOnly={!canSend}
          maxLength={250}
          value={title}
          onChange={(e) => setEdited((current) => ({ ...current, title: e.target.value }))}
        />
      </div>
      <div>
        <label htmlFor={ids.text} className={labelClass}>
          Message text
        </label>
        <textarea
          id={ids.text}
          className={`${fieldClass} font-mono`}
          rows={8}
          readOnly={!canSend}
          aria-describedby={ids.hint}
          value={text}
          onChange={(e) => setEdited((current) => ({ ...current, text: e.target.value }))}
        />
        <p id={ids.hint} className="mt-1 text-xs text-stone-600 dark:text-stone-400">
          {left.length > 0
            ? `Replace before sending: ${left.join(', ')}`
            : 'Rendered from the incident; edit it as needed.'}
        </p>
      </div>
      {canSend && (
        <fieldset className="space-y-1">
          <legend className={labelClass}>Channels</legend>
          {configured.isError && <ErrorState error={configured.error} retry={() => configured.refetch()} />}
          {configured.isPending && <Loading label="Loading the notification channels…" />}
          {names.length === 0 && <p className="text-sm">No notification channel is configured.</p>}
          <div className="flex flex-wrap gap-x-4 gap-y-1">
            {names.map((name) => {
              const channel = configured.data?.find((c) => c.name === name)
              const note = !configured.data
                ? ''
                : !channel
                  ? ' (not configured)'
                  : channel.enabled
                    ? ''
                    : ' (disabled)'
              return (
                <label key={name} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="h-4 w-4 accent-amber-700"
                    checked={chosen.includes(name)}
                    onChange={(e) =>
                      setChosen((current) =>
                        e.target.checked ? [...current, name] : current.filter((c) => c !== name),
                      )
                    }
                  />
                  {name}
                  {note}
                </label>
              )
            })}
          </div>
        </fieldset>
      )}
      <div className="flex flex-wrap gap-2">
        {canSend && (
          <button type="submit" className={primaryButton} disabled={action.pending || chosen.length === 0}>
            Send message
          </button>
        )}
        {canSend && isEdited && (
          <button type="button" className={secondaryButton} onClick={() => setEdited({})}>
            Start again from the template
          </button>
        )}
      </div>
      <ActionStatus action={action} />
      {result && <Result result={result} />}
    </form>
  )
}

/** The runbook's messages: pick a template, read (and as a manager edit and send) what it renders. */
export function Communications({ incident, canSend }: { incident: IncidentDetail; canSend: boolean }) {
  const [template, setTemplate] = useState<Template>('initial')
  const preview = usePreview(incident, template)
  const pickerId = useId()
  return (
    <section aria-labelledby="comms-title" className="space-y-3">
      <h2 id="comms-title" className="text-lg font-semibold">
        Communications
      </h2>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <label htmlFor={pickerId}>Template</label>
        <select
          id={pickerId}
          className={inlineFieldClass}
          value={template}
          onChange={(e) => setTemplate(e.target.value as Template)}
        >
          {TEMPLATES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {preview.isPending ? (
        <Loading label="Rendering the message…" />
      ) : preview.isError ? (
        <ErrorState error={preview.error} retry={() => preview.refetch()} />
      ) : (
        <MessageEditor
          key={preview.data.template}
          incident={incident}
          preview={preview.data}
          canSend={canSend}
        />
      )}
    </section>
  )
}
