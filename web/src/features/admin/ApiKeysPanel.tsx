import { type FormEvent, useState } from 'react'
import { ActionStatus } from '../../components/ActionStatus.tsx'
import { ConfirmButton } from '../../components/ConfirmDialog.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { cardClass, fieldClass, labelClass, primaryButton } from '../../components/forms.ts'
import { OneTimeSecret } from '../../components/OneTimeSecret.tsx'
import { Section } from '../../components/Section.tsx'
import { api } from '../../lib/api.ts'
import { useAction } from '../../lib/useAction.ts'
import { ADMIN_KEY, maybeDate, useApiKeys, useWho } from './hooks.ts'
import { type ApiKey, ROLES } from './types.ts'

interface Issued {
  apiKey: ApiKey
  key: string
  previous?: ApiKey
}

/** API keys for machines: create (the key is shown once), rotate with overlap, revoke. */
export function ApiKeysPanel() {
  const [includeInactive, setIncludeInactive] = useState(false)
  const keys = useApiKeys(includeInactive)
  const who = useWho()
  const create = useAction([ADMIN_KEY])
  const change = useAction([ADMIN_KEY])
  const [issued, setIssued] = useState<Issued | null>(null)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const name = String(data.get('name'))
    const result = await create.run(
      () => api<Issued>('/api/api-keys', { method: 'POST', body: { name, role: data.get('role') } }),
      `API key ${name} created.`,
    )
    if (result) {
      setIssued(result)
      form.reset()
    }
  }

  async function rotate(key: ApiKey) {
    const result = await change.run(
      () => api<Issued>(`/api/api-keys/${key.id}/rotate`, { method: 'POST', body: {} }),
      `API key ${key.name} rotated.`,
    )
    if (result) setIssued(result)
  }

  return (
    <div className="space-y-8">
      <form className={cardClass} onSubmit={submit} aria-labelledby="new-key-title">
        <h2 id="new-key-title" className="text-lg font-semibold">
          Create an API key
        </h2>
        <div className="grid gap-4 sm:grid-cols-[2fr_1fr_auto] sm:items-end">
          <label className={labelClass}>
            Key name
            <input
              name="name"
              required
              maxLength={100}
              className={fieldClass}
              aria-describedby="key-name-hint"
            />
          </label>
          <label className={labelClass}>
            Key role
            <select name="role" defaultValue="viewer" className={fieldClass}>
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={create.pending} className={primaryButton}>
            Create key
          </button>
        </div>
        <p id="key-name-hint" className="text-xs text-stone-600 dark:text-stone-400">
          Letters, digits, spaces and . _ : / @ -. The key acts with its role's permissions.
        </p>
        <ActionStatus action={create} />
      </form>
      {issued && (
        <OneTimeSecret
          label={`API key ${issued.apiKey.name}`}
          value={issued.key}
          onDone={() => setIssued(null)}
        >
          Shown only this once: store it now. Send it as <code>Authorization: Bearer …</code>.
          {issued.previous?.expiresAt &&
            ` The key it replaces keeps working until ${maybeDate(issued.previous.expiresAt)}.`}
        </OneTimeSecret>
      )}
      <ActionStatus action={change} />
      <Section
        title="API keys"
        query={keys}
        isEmpty={(d) => d.items.length === 0}
        empty={includeInactive ? 'No API keys yet.' : 'No active API keys.'}
      >
        {(d) => (
          <DataTable
            caption="API keys"
            rows={d.items}
            rowKey={(k) => k.id}
            columns={[
              { label: 'Name', render: (k) => k.name },
              { label: 'Key', render: (k) => <code>sk_{k.prefix}_…</code> },
              { label: 'Role', render: (k) => k.role },
              {
                label: 'State',
                render: (k) => (k.revokedAt ? `revoked ${maybeDate(k.revokedAt)}` : k.state),
              },
              { label: 'Created by', render: (k) => who(k.createdBy) },
              { label: 'Created', render: (k) => maybeDate(k.createdAt) },
              { label: 'Last used', render: (k) => maybeDate(k.lastUsedAt, 'never') },
              { label: 'Expires', render: (k) => maybeDate(k.expiresAt, 'never') },
              {
                label: 'Actions',
                render: (k) => (
                  <KeyActions apiKey={k} busy={change.pending} rotate={rotate} revoke={revoke} />
                ),
              },
            ]}
          />
        )}
      </Section>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={includeInactive}
          onChange={(e) => setIncludeInactive(e.target.checked)}
        />
        Show revoked and expired keys
      </label>
    </div>
  )

  function revoke(key: ApiKey) {
    return change.run(
      () => api(`/api/api-keys/${key.id}`, { method: 'DELETE' }),
      `API key ${key.name} revoked.`,
    )
  }
}

function KeyActions(props: {
  apiKey: ApiKey
  busy: boolean
  rotate: (key: ApiKey) => void
  revoke: (key: ApiKey) => void
}) {
  const key = props.apiKey
  if (key.state === 'revoked' || key.state === 'expired') return null
  return (
    <div className="flex flex-wrap gap-2">
      {key.state === 'active' && (
        <ConfirmButton
          label="Rotate"
          name={`Rotate ${key.name}`}
          title={`Rotate ${key.name}?`}
          message="A new key is issued and shown once; this one keeps working for the overlap period (APIKEY_ROTATION_OVERLAP_HOURS), then stops."
          confirmLabel="Rotate"
          disabled={props.busy}
          onConfirm={() => props.rotate(key)}
        />
      )}
      <ConfirmButton
        label="Revoke"
        name={`Revoke ${key.name}`}
        title={`Revoke ${key.name}?`}
        message="Every request with this key is refused from now on. This cannot be undone."
        confirmLabel="Revoke"
        disabled={props.busy}
        onConfirm={() => props.revoke(key)}
      />
    </div>
  )
}
