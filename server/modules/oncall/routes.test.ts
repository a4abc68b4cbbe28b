import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'

/** The on-call API through app.inject on a real database. */

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'

describe('on-call API', () => {
  let t: TestApp
  const clock = new TestClock('2026-03-23T12:00:00Z')
  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false })
  })
  afterAll(() => t.close())

  const call = async (role: 'viewer' | 'admin', options: InjectOptions) =>
    t.app.inject({ ...options, headers: { ...(await as(t.ctx, role)), ...options.headers } })
  const admin = (method: InjectOptions['method'], url: string, payload?: object) =>
    call('admin', { method, url, payload })
  const viewer = (method: InjectOptions['method'], url: string, payload?: object) =>
    call('viewer', { method, url, payload })

  const ids: Record<string, string> = {}
  let scheduleId = ''

  it('answers 404 for "who is on call" before any schedule exists', async () => {
    const res = await viewer('GET', '/api/oncall/now')
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('NOT_FOUND')
  })

  it('creates people and vendor contacts, with an audit entry (webhook credential left out)', async () => {
    for (const name of ['Alice', 'Bob', 'Carol']) {
      const res = await admin('POST', '/api/oncall/contacts', {
        name,
        kind: 'person',
        email: `${name}@Example.com`,
        slack: name === 'Alice' ? 'U0ALICE1' : '#platform-oncall',
        webhookUrl: name === 'Alice' ? 'https://hooks.slack.com/services/T000/B000/SECRET' : null,
      })
      expect(res.statusCode).toBe(201)
      ids[name] = res.json().id
    }
    const vendor = await admin('POST', '/api/oncall/contacts', {
      name: 'Neon support',
      kind: 'vendor',
      organisation: 'Neon',
      phone: '+1 (555) 010-0000',
      notes: 'Support portal: https://console.neon.tech/support; Scale plan, 4 h response',
    })
    expect(vendor.statusCode).toBe(201)
    expect(vendor.json()).toMatchObject({ kind: 'vendor', organisation: 'Neon', email: null, userId: null })
    ids.vendor = vendor.json().id

    const alice = await admin('GET', `/api/oncall/contacts/${ids.Alice}`)
    expect(alice.json()).toMatchObject({ email: 'alice@example.com', slack: 'U0ALICE1' })
    expect(alice.json().webhookUrl).toBe('https://hooks.slack.com/services/T000/B000/SECRET')

    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('target_type', '=', 'oncall_contact')
      .where('target_id', '=', ids.Alice!)
      .execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'oncall_create', actor_type: 'apikey' })
    expect(audit[0]!.new_values).toMatchObject({ name: 'Alice', webhookUrl: 'https://hooks.slack.com/…' })
    expect(JSON.stringify(audit[0]!.new_values)).not.toContain('SECRET')
  })

  it('lets viewers read the directory, with webhook URLs cut to their origin', async () => {
    const res = await viewer('GET', '/api/oncall/contacts?kind=vendor')
    expect(res.statusCode).toBe(200)
    expect(res.json().items.map((c: { name: string }) => c.name)).toEqual(['Neon support'])
    const alice = (await viewer('GET', `/api/oncall/contacts/${ids.Alice}`)).json()
    expect(alice.webhookUrl).toBe('https://hooks.slack.com/…')
  })

  it.each([
    ['a bad email', { name: 'X', kind: 'person', email: 'not-an-email' }],
    ['a bad Slack target', { name: 'X', kind: 'person', slack: 'platform' }],
    ['a webhook that is not http(s)', { name: 'X', kind: 'person', webhookUrl: 'ftp://example.com/hook' }],
    ['a bad phone number', { name: 'X', kind: 'person', phone: 'call me' }],
    ['a blank name', { name: '   ', kind: 'person' }],
    ['an unknown kind', { name: 'X', kind: 'robot' }],
    ['an unknown field', { name: 'X', kind: 'person', pager: '123' }],
  ])('refuses a contact with %s (400)', async (_what, payload) => {
    const res = await admin('POST', '/api/oncall/contacts', payload)
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('VALIDATION_FAILED')
  })

  it('refuses a link to an unknown app user (400 UNKNOWN_USER)', async () => {
    const res = await admin('POST', '/api/oncall/contacts', { name: 'X', kind: 'person', userId: 'nobody' })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('UNKNOWN_USER')
  })

  it('refuses every change to a viewer with 403 and changes nothing', async () => {
    const attempts: [InjectOptions['method'], string, object?][] = [
      ['POST', '/api/oncall/contacts', { name: 'Mallory', kind: 'person' }],
      ['PATCH', `/api/oncall/contacts/${ids.Alice}`, { name: 'Mallory' }],
      ['DELETE', `/api/oncall/contacts/${ids.Bob}`],
      ['PUT', '/api/oncall/roles/cto', { contactId: ids.Alice }],
      ['POST', '/api/oncall/schedules', { name: 'Sneaky', timezone: 'UTC' }],
    ]
    for (const [method, url, payload] of attempts) {
      const res = await viewer(method, url, payload)
      expect(res.statusCode, `${method} ${url}`).toBe(403)
      expect(res.json().error.code).toBe('FORBIDDEN')
    }
    expect((await admin('GET', `/api/oncall/contacts/${ids.Alice}`)).json().name).toBe('Alice')
    expect(
      (await admin('GET', '/api/oncall/roles')).json().items.every((r: { contact: unknown }) => !r.contact),
    ).toBe(true)
  })

  it('refuses a schedule in an unknown time zone (400) and accepts a real one in any case', async () => {
    const bad = await admin('POST', '/api/oncall/schedules', {
      name: 'Platform',
      timezone: 'Europe/Atlantis',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'timezone' } })
    const good = await admin('POST', '/api/oncall/schedules', { name: 'Platform', timezone: 'europe/london' })
    expect(good.statusCode).toBe(201)
    expect(good.json()).toMatchObject({ name: 'Platform', timezone: 'Europe/London', rotations: [] })
    scheduleId = good.json().id
    const duplicate = await admin('POST', '/api/oncall/schedules', { name: 'PLATFORM', timezone: 'UTC' })
    expect(duplicate.statusCode).toBe(409)
  })

  it('refuses a rotation with an unknown or vendor participant, or a bad handoff time (400)', async () => {
    const url = `/api/oncall/schedules/${scheduleId}/rotations/primary`
    const rotation = {
      participants: [ids.Alice, UNKNOWN_ID],
      shiftDays: 7,
      handoffTime: '09:00',
      startDate: '2026-01-05',
    }
    const unknown = await admin('PUT', url, rotation)
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().error).toMatchObject({
      code: 'UNKNOWN_CONTACT',
      details: { contacts: [UNKNOWN_ID] },
    })
    const vendor = await admin('PUT', url, { ...rotation, participants: [ids.vendor] })
    expect(vendor.statusCode).toBe(400)
    expect(vendor.json().error.code).toBe('NOT_A_PERSON')
    for (const handoffTime of ['9:00', '24:00', '09:60']) {
      const res = await admin('PUT', url, { ...rotation, participants: [ids.Alice], handoffTime })
      expect(res.statusCode, handoffTime).toBe(400)
    }
    const badDate = await admin('PUT', url, {
      ...rotation,
      participants: [ids.Alice],
      startDate: '2026-02-30',
    })
    expect(badDate.statusCode).toBe(400)
    expect((await admin('GET', `/api/oncall/schedules/${scheduleId}`)).json().rotations).toEqual([])
  })

  it('sets rotations and answers who is on call, now and at a time', async () => {
    const weekly = { shiftDays: 7, handoffTime: '09:00', startDate: '2026-01-05' }
    const primary = await admin('PUT', `/api/oncall/schedules/${scheduleId}/rotations/primary`, {
      ...weekly,
      participants: [ids.Alice, ids.Bob, ids.Carol],
    })
    expect(primary.statusCode).toBe(200)
    expect(primary.json()).toMatchObject({ tier: 'primary', participants: [ids.Alice, ids.Bob, ids.Carol] })
    await admin('PUT', `/api/oncall/schedules/${scheduleId}/rotations/secondary`, {
      ...weekly,
      participants: [ids.Carol, ids.Bob, ids.Alice],
    })

    const now = await viewer('GET', '/api/oncall/now')
    expect(now.statusCode).toBe(200)
    expect(now.json()).toMatchObject({
      at: '2026-03-23T12:00:00.000Z',
      schedule: { id: scheduleId, name: 'Platform', timezone: 'Europe/London' },
      primary: { name: 'Carol' },
      secondary: { name: 'Alice', webhookUrl: 'https://hooks.slack.com/…' },
      primaryUntil: '2026-03-30T08:00:00.000Z',
    })
    const later = await viewer('GET', '/api/oncall/now?at=2026-03-30T08:00:00Z&schedule=platform')
    expect(later.json()).toMatchObject({ primary: { name: 'Alice' }, secondary: { name: 'Carol' } })
    const unknown = await viewer('GET', '/api/oncall/now?schedule=Nope')
    expect(unknown.statusCode).toBe(404)
  })

  it('lists the shifts around the March change at 09:00 local time', async () => {
    const res = await viewer(
      'GET',
      `/api/oncall/schedules/${scheduleId}/shifts?from=2026-03-23T09:00:00Z&to=2026-04-06T08:00:00Z`,
    )
    expect(res.statusCode).toBe(200)
    const primary = res.json().items.filter((s: { tier: string }) => s.tier === 'primary')
    expect(primary.map((s: { contact: { name: string } }) => s.contact.name)).toEqual(['Carol', 'Alice'])
    expect(primary.map((s: { startLocal: string }) => s.startLocal)).toEqual([
      '2026-03-23T09:00:00.000+00:00',
      '2026-03-30T09:00:00.000+01:00',
    ])
    expect(primary[0].end).toBe('2026-03-30T08:00:00.000Z')
    const tooLong = await viewer(
      'GET',
      `/api/oncall/schedules/${scheduleId}/shifts?from=2026-01-01T00:00:00Z&to=2028-01-01T00:00:00Z`,
    )
    expect(tooLong.statusCode).toBe(400)
  })

  it('puts an override in front of the rotation and removes it', async () => {
    const created = await admin('POST', `/api/oncall/schedules/${scheduleId}/overrides`, {
      tier: 'primary',
      contactId: ids.Bob,
      start: '2026-03-23T12:00:00Z',
      end: '2026-03-24T12:00:00Z',
      reason: 'swap',
    })
    expect(created.statusCode).toBe(201)
    const override = created.json()
    expect(override).toMatchObject({
      tier: 'primary',
      contactId: ids.Bob,
      reason: 'swap',
      createdBy: expect.any(String),
    })
    const now = (await viewer('GET', '/api/oncall/now')).json()
    expect(now).toMatchObject({ primary: { name: 'Bob' }, primaryUntil: '2026-03-24T12:00:00.000Z' })
    const listed = (await viewer('GET', `/api/oncall/schedules/${scheduleId}/overrides`)).json()
    expect(listed.items.map((o: { id: string }) => o.id)).toEqual([override.id])

    const past = await admin('POST', `/api/oncall/schedules/${scheduleId}/overrides`, {
      tier: 'primary',
      contactId: ids.Bob,
      start: '2026-03-01T00:00:00Z',
      end: '2026-03-02T00:00:00Z',
    })
    expect(past.statusCode).toBe(400)
    const backwards = await admin('POST', `/api/oncall/schedules/${scheduleId}/overrides`, {
      tier: 'primary',
      contactId: ids.Bob,
      start: '2026-03-25T00:00:00Z',
      end: '2026-03-24T00:00:00Z',
    })
    expect(backwards.statusCode).toBe(400)
    expect((await viewer('DELETE', `/api/oncall/overrides/${override.id}`)).statusCode).toBe(403)

    const removed = await admin('DELETE', `/api/oncall/overrides/${override.id}`)
    expect(removed.statusCode).toBe(200)
    expect((await viewer('GET', '/api/oncall/now')).json().primary.name).toBe('Carol')
    expect((await admin('DELETE', `/api/oncall/overrides/${override.id}`)).statusCode).toBe(404)
  })

  it('assigns escalation roles to people only', async () => {
    const res = await admin('PUT', '/api/oncall/roles/vp_engineering', { contactId: ids.Bob })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ role: 'vp_engineering', contact: { name: 'Bob' } })
    const vendor = await admin('PUT', '/api/oncall/roles/ceo', { contactId: ids.vendor })
    expect(vendor.statusCode).toBe(400)
    expect(vendor.json().error.code).toBe('NOT_A_PERSON')
    const badRole = await admin('PUT', '/api/oncall/roles/janitor', { contactId: ids.Bob })
    expect(badRole.statusCode).toBe(400)
    const roles = (await viewer('GET', '/api/oncall/roles')).json().items
    expect(
      roles.map((r: { role: string; contact: { name: string } | null }) => [r.role, r.contact?.name ?? null]),
    ).toEqual([
      ['engineering_lead', null],
      ['vp_engineering', 'Bob'],
      ['cto', null],
      ['ceo', null],
    ])
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('target_type', '=', 'oncall_role')
      .where('target_id', '=', 'vp_engineering')
      .executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ action: 'oncall_update', new_values: { contactId: ids.Bob } })
  })

  it('refuses with 409 to delete a contact a rotation or role still uses, and deletes it once free', async () => {
    const used = await admin('DELETE', `/api/oncall/contacts/${ids.Bob}`)
    expect(used.statusCode).toBe(409)
    expect(used.json().error.code).toBe('CONFLICT')
    expect(used.json().error.details).toMatchObject({
      roles: ['vp_engineering'],
      rotations: expect.arrayContaining([{ schedule: 'Platform', tier: 'primary' }]),
    })
    // Nor can someone on call become a vendor.
    const toVendor = await admin('PATCH', `/api/oncall/contacts/${ids.Bob}`, { kind: 'vendor' })
    expect(toVendor.statusCode).toBe(409)
    // Free Bob: out of both rotations and the role.
    const weekly = { shiftDays: 7, handoffTime: '09:00', startDate: '2026-01-05' }
    await admin('PUT', `/api/oncall/schedules/${scheduleId}/rotations/primary`, {
      ...weekly,
      participants: [ids.Alice, ids.Carol],
    })
    expect((await admin('DELETE', `/api/oncall/contacts/${ids.Bob}`)).statusCode).toBe(409)
    await admin('DELETE', `/api/oncall/schedules/${scheduleId}/rotations/secondary`)
    await admin('PUT', '/api/oncall/roles/vp_engineering', { contactId: null })
    const deleted = await admin('DELETE', `/api/oncall/contacts/${ids.Bob}`)
    expect(deleted.statusCode).toBe(200)
    expect((await admin('GET', `/api/oncall/contacts/${ids.Bob}`)).statusCode).toBe(404)
    const actions = await t.ctx.db
      .selectFrom('audit_logs')
      .select('action')
      .where('target_id', '=', ids.Bob!)
      .orderBy('id')
      .execute()
    expect(actions.map((a) => a.action)).toEqual(['oncall_create', 'oncall_delete'])
  })

  it('updates a contact, clearing a field with null, and records only what changed', async () => {
    const res = await admin('PATCH', `/api/oncall/contacts/${ids.Carol}`, {
      slack: null,
      phone: '+44 20 7946 0000',
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ slack: null, phone: '+44 20 7946 0000', email: 'carol@example.com' })
    const entry = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('target_id', '=', ids.Carol!)
      .where('action', '=', 'oncall_update')
      .executeTakeFirstOrThrow()
    expect(entry.old_values).toEqual({ slack: '#platform-oncall', phone: null })
    expect(entry.new_values).toEqual({ slack: null, phone: '+44 20 7946 0000' })
    expect((await admin('PATCH', `/api/oncall/contacts/${ids.Carol}`, {})).statusCode).toBe(400)
  })
})
