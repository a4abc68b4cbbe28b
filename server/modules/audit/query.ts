import type { AppContext } from '../../context.ts'
import { keysetPage } from '../../platform/db/pagination.ts'

export interface AuditFilter {
  action?: string[]
  actorType?: 'user' | 'apikey' | 'system'
  actorId?: string
  targetType?: string
  targetId?: string
  since?: string
  until?: string
}

export interface AuditLogView {
  id: string
  createdAt: string
  actorType: string
  actorId: string | null
  action: string
  targetType: string | null
  targetId: string | null
  ip: string | null
  userAgent: string | null
  requestId: string | null
  oldValues: unknown
  newValues: unknown
}

/** One page of entries, newest first; `nextCursor` continues after the last one. */
export async function listAuditLogs(
  ctx: AppContext,
  filter: AuditFilter,
  page: { limit: number; cursor?: string },
): Promise<{ items: AuditLogView[]; nextCursor: string | null }> {
  let query = ctx.db.selectFrom('audit_logs').selectAll()
  if (filter.action?.length) query = query.where('action', 'in', filter.action)
  if (filter.actorType) query = query.where('actor_type', '=', filter.actorType)
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId)
  if (filter.targetType) query = query.where('target_type', '=', filter.targetType)
  if (filter.targetId) query = query.where('target_id', '=', filter.targetId)
  if (filter.since) query = query.where('created_at', '>=', new Date(filter.since))
  if (filter.until) query = query.where('created_at', '<', new Date(filter.until))
  if (page.cursor) query = query.where('id', '<', page.cursor)
  const rows = await query
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute()
  return keysetPage(
    rows.map((row) => ({
      id: String(row.id),
      createdAt: new Date(row.created_at).toISOString(),
      actorType: row.actor_type,
      actorId: row.actor_id,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      ip: row.ip,
      userAgent: row.user_agent,
      requestId: row.request_id,
      oldValues: row.old_values,
      newValues: row.new_values,
    })),
    page.limit,
  )
}

const CSV_COLUMNS: (keyof AuditLogView)[] = [
  'id',
  'createdAt',
  'actorType',
  'actorId',
  'action',
  'targetType',
  'targetId',
  'ip',
  'userAgent',
  'requestId',
  'oldValues',
  'newValues',
]

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = typeof value === 'string' ? value : JSON.stringify(value)
  // A leading =, +, - or @ would be run as a formula by spreadsheet software.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Every matching entry as CSV, fetched page by page so memory stays flat. */
export async function* auditCsv(ctx: AppContext, filter: AuditFilter): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(',')}\n`
  let cursor: string | undefined
  do {
    const page = await listAuditLogs(ctx, filter, { limit: 1000, cursor })
    if (page.items.length > 0) {
      yield page.items.map((item) => `${CSV_COLUMNS.map((c) => csvCell(item[c])).join(',')}\n`).join('')
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor)
}
