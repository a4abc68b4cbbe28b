import { useId, useState } from 'react'
import { useMe } from '../../app/session.ts'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { fieldClass, labelClass, primaryButton, secondaryButton } from '../../components/forms.ts'
import { ErrorState, Loading } from '../../components/States.tsx'
import { api } from '../../lib/api.ts'
import { useAction } from '../../lib/useAction.ts'
import { INCIDENTS_KEY, incidentPath, usePostmortem } from './hooks.ts'
import { PostmortemActions } from './PostmortemActions.tsx'
import { when, who } from './show.ts'
import type { Incident, Postmortem, Section } from './types.ts'

/** Section titles in the order of the runbook's post-mortem. */
const SECTIONS: [Section, string][] = [
  ['summary', 'Summary'],
  ['impact', 'Impact'],
  ['timeline', 'Timeline'],
  ['rootCause', 'Root cause'],
  ['wentWell', 'What went well'],
  ['wentBadly', 'What went badly'],
]

type Warning = Postmortem['warnings'][number]

function Warnings({ warnings }: { warnings: Warning[] }) {
  if (warnings.length === 0) return null
  return (
    <ul className="mt-1 space-y-1 text-sm" aria-label="Wording warnings">
      {warnings.map((w) => (
        <li
          key={`${w.section}-${w.phrase}`}
          className="rounded-md border border-amber-300 bg-amber-50 px-2 py-1 text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
          data-warning={w.section}
        >
          <span aria-hidden="true">▲ </span>
          {w.message}
        </li>
      ))}
    </ul>
  )
}

function SectionField(props: {
  section: Section
  title: string
  value: string
  prompt: string | undefined
  warnings: Warning[]
  canEdit: boolean
  onChange: (text: string) => void
}) {
  const id = useId()
  const promptId = useId()
  if (!props.canEdit)
    return (
      <div>
        <h3 className="text-base font-semibold text-stone-800 dark:text-stone-200">{props.title}</h3>
        <p className="text-sm whitespace-pre-wrap">{props.value.trim() || 'Not written yet.'}</p>
        <Warnings warnings={props.warnings} />
      </div>
    )
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {props.title}
      </label>
      {props.prompt && (
        <p id={promptId} className="text-xs text-stone-600 dark:text-stone-400">
          {props.prompt}
        </p>
      )}
      <textarea
        id={id}
        className={fieldClass}
        rows={props.section === 'timeline' ? 8 : 4}
        maxLength={20_000}
        aria-describedby={props.prompt ? promptId : undefined}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <Warnings warnings={props.warnings} />
    </div>
  )
}

function Editor({
  incident,
  postmortem,
  canEdit,
}: {
  incident: Incident
  postmortem: Postmortem
  canEdit: boolean
}) {
  // Only what the writer changed; the rest follows the server, so a live refresh never drops an edit.
  const [drafts, setDrafts] = useState<Partial<Record<Section, string>>>({})
  const meId = useMe().data?.id
  const action = useAction([INCIDENTS_KEY])
  const unsaved = Object.keys(drafts).length > 0
  const published = postmortem.status === 'published'

  async function put(
    body: Partial<Record<Section, string>> & { status?: Postmortem['status'] },
    done: string,
  ) {
    const saved = await action.run(
      () => api<Postmortem>(`${incidentPath(incident.id)}/postmortem`, { method: 'PUT', body }),
      done,
    )
    if (saved) setDrafts({})
  }

  return (
    <div className="space-y-4">
      <p className="text-sm text-stone-600 dark:text-stone-400">
        <span
          className="font-medium text-stone-800 dark:text-stone-200"
          data-postmortem-status={postmortem.status}
        >
          {published ? 'Published' : 'Draft'}
        </span>
        {postmortem.publishedAt && ` ${when(postmortem.publishedAt)}`} · last changed{' '}
        {when(postmortem.updatedAt)}
        {postmortem.updatedBy && ` by ${who(postmortem.updatedBy, meId)}`}
        {postmortem.required && ' · required for this severity'}
      </p>
      {postmortem.warnings.length > 0 && (
        <p role="note" className="text-sm text-amber-900 dark:text-amber-200">
          {postmortem.warnings.length} wording warning{postmortem.warnings.length === 1 ? '' : 's'}: a
          post-mortem is blameless. They are advice and are checked again on each save.
        </p>
      )}
      {SECTIONS.map(([section, title]) => (
        <SectionField
          key={section}
          section={section}
          title={title}
          value={drafts[section] ?? postmortem.sections[section]}
          prompt={postmortem.prompts[section]}
          warnings={postmortem.warnings.filter((w) => w.section === section)}
          canEdit={canEdit}
          onChange={(text) => setDrafts((current) => ({ ...current, [section]: text }))}
        />
      ))}
      {canEdit && (
        <div className="space-y-2">
          <div className="flex flex-wrap gap-2">
            <button
              type="button"
              className={primaryButton}
              disabled={action.pending || !unsaved}
              onClick={() => put(drafts, 'Post-mortem saved.')}
            >
              Save post-mortem
            </button>
            {published ? (
              <button
                type="button"
                className={secondaryButton}
                disabled={action.pending}
                onClick={() => put({ ...drafts, status: 'draft' }, 'The post-mortem is a draft again.')}
              >
                Back to draft
              </button>
            ) : (
              <button
                type="button"
                className={secondaryButton}
                disabled={action.pending}
                onClick={() => put({ ...drafts, status: 'published' }, 'Post-mortem published.')}
              >
                Publish
              </button>
            )}
          </div>
          {!published && postmortem.missingToPublish.length > 0 && (
            <p className="text-sm text-stone-600 dark:text-stone-400">
              Publishing needs: {postmortem.missingToPublish.join(', ')}.
            </p>
          )}
          {unsaved && <p className="text-sm text-amber-900 dark:text-amber-200">Unsaved changes.</p>}
        </div>
      )}
      <ActionStatus action={action} />
      <PostmortemActions
        incidentId={incident.id}
        items={postmortem.actions}
        prompt={postmortem.prompts.actions}
        canEdit={canEdit}
        action={action}
      />
      <Warnings warnings={postmortem.warnings.filter((w) => w.section === 'actions')} />
      <p>
        <a
          href={`${incidentPath(incident.id)}/postmortem.md`}
          download
          className="text-sm font-medium text-amber-800 underline dark:text-amber-300"
        >
          Download Markdown
        </a>
      </p>
    </div>
  )
}

/**
 * The blameless post-mortem: opened by the server when a P0 or P1 is resolved, or started here by
 * a manager for any incident. Managers write, publish and keep the action items; others read.
 */
export function PostmortemEditor({ incident, canEdit }: { incident: Incident; canEdit: boolean }) {
  const exists = incident.postmortem.status !== 'missing'
  const postmortem = usePostmortem(incident.id, exists)
  const start = useAction([INCIDENTS_KEY])
  if (!exists && !canEdit) return null
  return (
    <section aria-labelledby="postmortem-title" className="space-y-3">
      <h2 id="postmortem-title" className="text-lg font-semibold">
        Post-mortem
      </h2>
      {!exists ? (
        <div className="space-y-2">
          <p className="text-sm text-stone-600 dark:text-stone-400">
            {incident.postmortem.required
              ? 'Required for this severity: it opens as a draft when the incident is resolved.'
              : 'No post-mortem yet.'}
          </p>
          <button
            type="button"
            className={secondaryButton}
            disabled={start.pending}
            onClick={() =>
              start.run(
                () =>
                  api(`${incidentPath(incident.id)}/postmortem`, {
                    method: 'PUT',
                    body: { status: 'draft' },
                  }),
                'Post-mortem started.',
              )
            }
          >
            Start a post-mortem
          </button>
          <ActionStatus action={start} />
        </div>
      ) : postmortem.isPending ? (
        <Loading label="Loading the post-mortem…" />
      ) : postmortem.isError ? (
        <ErrorState error={postmortem.error} retry={() => postmortem.refetch()} />
      ) : postmortem.data === null ? (
        <p className="text-sm text-stone-600 dark:text-stone-400">No post-mortem yet.</p>
      ) : (
        <Editor incident={incident} postmortem={postmortem.data} canEdit={canEdit} />
      )}
    </section>
  )
}
