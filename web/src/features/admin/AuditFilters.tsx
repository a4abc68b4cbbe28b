import { useState } from 'react'
import { inlineFieldClass, secondaryButton } from '../../components/forms.ts'
import { AUDIT_ACTIONS, type User } from './types.ts'

export interface AuditFilter {
  action: string
  actorType: string
  actorId: string
  targetType: string
  targetId: string
  from: string
  to: string
}

export const NO_FILTER: AuditFilter = {
  action: '',
  actorType: '',
  actorId: '',
  targetType: '',
  targetId: '',
  from: '',
  to: '',
}

/** The query string of `GET /api/audit-logs` for a filter; days are the reader's local days. */
export function auditQuery(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(extra)
  if (filter.action) params.set('action', filter.action)
  if (filter.actorType) params.set('actorType', filter.actorType)
  if (filter.actorId) params.set('actorId', filter.actorId)
  if (filter.targetType) params.set('targetType', filter.targetType)
  if (filter.targetId) params.set('targetId', filter.targetId)
  if (filter.from) params.set('since', new Date(`${filter.from}T00:00:00`).toISOString())
  if (filter.to) params.set('until', new Date(`${filter.to}T23:59:59.999`).toISOString())
  return params.toString()
}

/** Selects and dates apply at once; the typed fields on Enter or when they lose focus. */
export function AuditFilters(props: {
  filter: AuditFilter
  users: User[]
  onChange: (filter: AuditFilter) => void
}) {
  const [draft, setDraft] = useState({ targetType: props.filter.targetType, targetId: props.filter.targetId })
  const set = (patch: Partial<AuditFilter>) => props.onChange({ ...props.filter, ...patch })
  const commit = () => set(draft)
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      aria-label="Audit log filters"
      onSubmit={(e) => {
        e.preventDefault()
        commit()
      }}
    >
      <label className="flex flex-col text-sm">
        Action
        <select
          className={inlineFieldClass}
          value={props.filter.action}
          onChange={(e) => set({ action: e.target.value })}
        >
          <option value="">All</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-sm">
        Actor type
        <select
          className={inlineFieldClass}
          value={props.filter.actorType}
          onChange={(e) => set({ actorType: e.target.value })}
        >
          <option value="">All</option>
          <option value="user">person</option>
          <option value="apikey">API key</option>
          <option value="system">system</option>
        </select>
      </label>
      <label className="flex flex-col text-sm">
        Person
        <select
          className={inlineFieldClass}
          value={props.filter.actorId}
          onChange={(e) => set({ actorId: e.target.value })}
        >
          <option value="">Anyone</option>
          {props.users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.email}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-sm">
        Target type
        <input
          className={inlineFieldClass}
          value={draft.targetType}
          maxLength={100}
          placeholder="e.g. api_key"
          onChange={(e) => setDraft({ ...draft, targetType: e.target.value.trim() })}
          onBlur={commit}
        />
      </label>
      <label className="flex flex-col text-sm">
        Target id
        <input
          className={inlineFieldClass}
          value={draft.targetId}
          maxLength={200}
          onChange={(e) => setDraft({ ...draft, targetId: e.target.value.trim() })}
          onBlur={commit}
        />
      </label>
      <label className="flex flex-col text-sm">
        From
        <input
          type="date"
          className={inlineFieldClass}
          value={props.filter.from}
          onChange={(e) => set({ from: e.target.value })}
        />
      </label>
      <label className="flex flex-col text-sm">
        To
        <input
          type="date"
          className={inlineFieldClass}
          value={props.filter.to}
          onChange={(e) => set({ to: e.target.value })}
        />
      </label>
      <button type="submit" className={secondaryButton}>
        Apply
      </button>
    </form>
  )
}
