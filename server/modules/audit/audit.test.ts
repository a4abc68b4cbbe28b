import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { csvCell } from './query.ts'
import { pruneAuditLogs, recordAudit, redact } from './service.ts'

describe('audit_logs', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ start: false })
    const system = { type: 'system' as const, id: 'test' }
    await recordAudit(t.ctx.db, {
      actor: { type: 'user', id: 'u1' },
      action: 'login',
      request: { ip: '198.51.100.7', userAgent: 'curl', requestId: 'r1' },
    })
    await recordAudit(t.ctx.db, {
      actor: { type: 'user', id: 'u1' },
      action: 'password_change',
      target: { type: 'user', id: 'u1' },
      oldValues: { password: 'old-secret' },
      newValues: { password: 'new-secret', note: 'by self' },
    })
    await recordAudit(t.ctx.db, {
      actor: system,
      action: 'privilege_escalation',
      target: { type: 'user', id: 'u2' },
      oldValues: { role: 'viewer' },
      newValues: { role: 'admin' },
    })
    await recordAudit(t.ctx.db, { actor: system, action: 'settings_change' })
    // An entry from before the retention window, as an old installation would have.
    await sql`insert into audit_logs (created_at, actor_type, action) values (now() - interval '100 days', 'system', 'login')`.execute(
      t.ctx.db,
    )
  })
  afterAll(() => t.close())

  it("answers the runbook's query as written", async () => {
    const result = await sql<{ action: string }>`
      SELECT * FROM audit_logs
      WHERE action IN ('login', 'password_change', 'privilege_escalation')
      AND created_at > NOW() - INTERVAL '24 hours';`.execute(t.ctx.db)
    expect(result.rows.map((r) => r.action).sort()).toEqual([
      'login',
      'password_change',
      'privilege_escalation',
    ])
  })

  it('redacts secrets in old and new values', async () => {
    const row = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('action', '=', 'password_change')
      .executeTakeFirstOrThrow()
    expect(row.old_values).toEqual({ password: '[redacted]' })
    expect(row.new_values).toEqual({ password: '[redacted]', note: 'by self' })
    expect(redact({ nested: { apiKey: 'x', token: 'y', list: [{ secret: 'z' }] }, name: 'n' })).toEqual({
      nested: { apiKey: '[redacted]', token: '[redacted]', list: [{ secret: '[redacted]' }] },
      name: 'n',
    })
  })

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(sql`update audit_logs set action = 'logout'`.execute(t.ctx.db)).rejects.toThrow(
      /append-only/,
    )
    await expect(sql`delete from audit_logs where action = 'login'`.execute(t.ctx.db)).rejects.toThrow(
      /append-only/,
    )
    await expect(sql`truncate audit_logs`.execute(t.ctx.db)).rejects.toThrow(/append-only/)
    // even an old row cannot be deleted outside the retention job
    await expect(
      sql`delete from audit_logs where created_at < now() - interval '90 days'`.execute(t.ctx.db),
    ).rejects.toThrow(/append-only/)
  })

  it('lets the retention job delete only entries older than the retention', async () => {
    const before = await t.ctx.db.selectFrom('audit_logs').select('id').execute()
    expect(await pruneAuditLogs(t.ctx.db, 90)).toBe(1)
    const after = await t.ctx.db.selectFrom('audit_logs').select('id').execute()
    expect(after.length).toBe(before.length - 1)
    expect(await pruneAuditLogs(t.ctx.db, 90)).toBe(0)
  })

  it('lists entries for admins with filters and cursor pagination', async () => {
    const headers = await as(t.ctx, 'admin')
    const first = await t.app.inject({ url: '/api/audit-logs?limit=2', headers })
    expect(first.statusCode).toBe(200)
    const page1 = first.json()
    expect(page1.items).toHaveLength(2)
    expect(page1.nextCursor).toBe(page1.items[1].id)
    const page2 = (
      await t.app.inject({ url: `/api/audit-logs?limit=2&cursor=${page1.nextCursor}`, headers })
    ).json()
    expect(Number(page2.items[0].id)).toBeLessThan(Number(page1.items[1].id))

    const filtered = (
      await t.app.inject({
        url: '/api/audit-logs?action=login&action=password_change&actorType=user',
        headers,
      })
    ).json()
    expect(filtered.items.map((i: { action: string }) => i.action).sort()).toEqual([
      'login',
      'password_change',
    ])
    const byTarget = (
      await t.app.inject({ url: '/api/audit-logs?targetType=user&targetId=u2', headers })
    ).json()
    expect(byTarget.items).toHaveLength(1)
    expect(byTarget.items[0]).toMatchObject({ action: 'privilege_escalation', newValues: { role: 'admin' } })
    const future = (
      await t.app.inject({
        url: `/api/audit-logs?since=${encodeURIComponent('2999-01-01T00:00:00Z')}`,
        headers,
      })
    ).json()
    expect(future.items).toEqual([])
  })

  it('exports CSV with formula-safe cells', async () => {
    const res = await t.app.inject({
      url: '/api/audit-logs?format=csv&action=login',
      headers: await as(t.ctx, 'admin'),
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/csv')
    const lines = res.body.trim().split('\n')
    expect(lines[0]).toBe(
      'id,createdAt,actorType,actorId,action,targetType,targetId,ip,userAgent,requestId,oldValues,newValues',
    )
    expect(lines.slice(1).every((line) => line.includes(',login,'))).toBe(true)
    expect(csvCell('=cmd()')).toBe("'=cmd()")
    expect(csvCell('a,"b"')).toBe('"a,""b"""')
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"')
  })

  it('rejects bad filters with 400', async () => {
    const headers = await as(t.ctx, 'admin')
    for (const query of [
      'action=drop_table',
      'since=yesterday',
      'limit=0',
      'cursor=abc',
      'format=xml',
      'unknown=1',
    ]) {
      const res = await t.app.inject({ url: `/api/audit-logs?${query}`, headers })
      expect(res.statusCode, query).toBe(400)
    }
    const reversed = await t.app.inject({
      url: '/api/audit-logs?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z',
      headers,
    })
    expect(reversed.statusCode).toBe(400)
  })
})
