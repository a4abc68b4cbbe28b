import type { FastifyInstance } from 'fastify'
import { DateTime } from 'luxon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { createUser } from '../auth/users.ts'
import { BUSINESS_EVENTS } from '../orders/events.ts'
import { MAINTENANCE_CHANNEL } from './cache.ts'
import { maintenanceModule } from './index.ts'
import { activeMaintenance } from './service.ts'

const NY = 'America/New_York'
const HOUR = 3_600_000
const MONTHLY = { title: 'Monthly patching', timezone: NY, cron: '0 2 * * SUN#1', durationMinutes: 120 }

/** A local wall-clock time in New York as an instant. */
const newYork = (local: string) => DateTime.fromISO(local, { zone: NY }).toJSDate()

describe('maintenance windows', () => {
  let t: TestApp
  const clock = new TestClock('2025-12-15T12:00:00Z')
  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false })
  })
  afterAll(() => t.close())

  const admin = () => as(t.ctx, 'admin')
  const create = async (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/maintenance/windows', headers: await admin(), payload })
  const occurrences = async (from: string, to: string) =>
    (
      await t.app.inject({
        url: `/api/maintenance/occurrences?from=${from}&to=${to}`,
        headers: await as(t.ctx, 'viewer'),
      })
    ).json().items as { windowId: string; start: string; end: string }[]

  it('expands the first-Sunday 02:00–04:00 New York window over a year with the right offsets', async () => {
    const res = await create({ ...MONTHLY, readOnly: true })
    expect(res.statusCode).toBe(201)
    const window = res.json()
    expect(window).toMatchObject({
      kind: 'recurring',
      cron: '0 2 * * SUN#1',
      timezone: NY,
      readOnly: true,
      createdBy: expect.stringMatching(/^apikey:/),
      nextOccurrence: { start: '2026-01-04T07:00:00.000Z', end: '2026-01-04T09:00:00.000Z' },
    })

    const items = (await occurrences('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).filter(
      (o) => o.windowId === window.id,
    )
    const winter = (day: string) => ({ start: `${day}T07:00:00.000Z`, end: `${day}T09:00:00.000Z` })
    const summer = (day: string) => ({ start: `${day}T06:00:00.000Z`, end: `${day}T08:00:00.000Z` })
    expect(items.map(({ start, end }) => ({ start, end }))).toEqual([
      winter('2026-01-04'),
      winter('2026-02-01'),
      winter('2026-03-01'), // DST begins on 8 March
      summer('2026-04-05'),
      summer('2026-05-03'),
      summer('2026-06-07'),
      summer('2026-07-05'),
      summer('2026-08-02'),
      summer('2026-09-06'),
      summer('2026-10-04'),
      winter('2026-11-01'), // DST ended at 02:00 that morning: the window starts at 02:00 EST
      winter('2026-12-06'),
    ])

    // 02:30 local is inside and 04:01 local is outside, on both sides of each change
    for (const day of ['2026-03-01', '2026-04-05', '2026-10-04', '2026-11-01']) {
      const inside = await activeMaintenance(t.ctx, newYork(`${day}T02:30`))
      expect(
        inside.map((o) => o.windowId),
        `${day} 02:30`,
      ).toEqual([window.id])
      expect(inside[0]).toMatchObject({ title: 'Monthly patching', readOnly: true, timezone: NY })
      expect(await activeMaintenance(t.ctx, newYork(`${day}T04:01`)), `${day} 04:01`).toEqual([])
      expect(await activeMaintenance(t.ctx, newYork(`${day}T01:59`)), `${day} 01:59`).toEqual([])
    }

    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('target_id', '=', window.id)
      .executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ action: 'maintenance_create', target_type: 'maintenance_window' })
    expect(audit.new_values).toMatchObject({ cron: '0 2 * * SUN#1', durationMinutes: 120, timezone: NY })

    const cancelled = await t.app.inject({
      method: 'POST',
      url: `/api/maintenance/windows/${window.id}/cancel`,
      headers: await admin(),
    })
    expect(cancelled.json()).toMatchObject({ cancelledAt: clock.now().toISOString(), nextOccurrence: null })
    expect(await activeMaintenance(t.ctx, newYork('2026-04-05T02:30'))).toEqual([])
  })

  it('moves a 02:00 start on the spring-forward night to 03:00 EDT and keeps its length', async () => {
    const res = await create({ title: 'DST night', timezone: NY, cron: '0 2 * * SUN#2', durationMinutes: 60 })
    expect(res.statusCode).toBe(201)
    const { id } = res.json()
    const march = (await occurrences('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z')).filter(
      (o) => o.windowId === id,
    )
    // 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00Z); the window lasts one real hour, to 04:00 EDT.
    expect(march).toEqual([
      expect.objectContaining({ start: '2026-03-08T07:00:00.000Z', end: '2026-03-08T08:00:00.000Z' }),
    ])
    expect((await activeMaintenance(t.ctx, newYork('2026-03-08T03:30'))).map((o) => o.windowId)).toEqual([id])
    expect(await activeMaintenance(t.ctx, newYork('2026-03-08T01:59'))).toEqual([])
    await t.app.inject({
      method: 'POST',
      url: `/api/maintenance/windows/${id}/cancel`,
      headers: await admin(),
    })
  })

  it('schedules, changes and cancels a one-off window, keeping its history', async () => {
    const res = await create({
      title: 'Database upgrade',
      description: 'PostgreSQL 17',
      timezone: 'europe/london',
      start: '2026-01-10T22:00:00Z',
      end: '2026-01-11T01:00:00+00:00',
    })
    expect(res.statusCode).toBe(201)
    const window = res.json()
    expect(window).toMatchObject({
      kind: 'once',
      timezone: 'Europe/London',
      readOnly: false,
      start: '2026-01-10T22:00:00.000Z',
      end: '2026-01-11T01:00:00.000Z',
      cron: null,
      nextOccurrence: { start: '2026-01-10T22:00:00.000Z', end: '2026-01-11T01:00:00.000Z' },
    })

    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/api/maintenance/windows/${window.id}`,
      headers: await admin(),
      payload: { title: 'Database upgrade (v17)', readOnly: true, end: '2026-01-11T02:00:00Z' },
    })
    expect(changed.statusCode).toBe(200)
    expect(changed.json()).toMatchObject({ title: 'Database upgrade (v17)', readOnly: true })
    const wrongKind = await t.app.inject({
      method: 'PATCH',
      url: `/api/maintenance/windows/${window.id}`,
      headers: await admin(),
      payload: { cron: '0 2 * * *' },
    })
    expect(wrongKind.statusCode).toBe(400)
    expect(wrongKind.json().error.code).toBe('WRONG_KIND')

    const during = await activeMaintenance(t.ctx, new Date('2026-01-11T01:30:00Z'))
    expect(during).toEqual([
      {
        windowId: window.id,
        title: 'Database upgrade (v17)',
        start: new Date('2026-01-10T22:00:00Z'),
        end: new Date('2026-01-11T02:00:00Z'),
        readOnly: true,
        timezone: 'Europe/London',
      },
    ])

    const list = async (query = '') =>
      (
        await t.app.inject({ url: `/api/maintenance/windows${query}`, headers: await as(t.ctx, 'viewer') })
      ).json().items as { id: string }[]
    expect((await list()).map((w) => w.id)).toContain(window.id)

    // cancelled during the window: it ends then, and stays in the history
    clock.advance(Date.parse('2026-01-11T00:00:00Z') - clock.ms())
    const cancelled = await t.app.inject({
      method: 'POST',
      url: `/api/maintenance/windows/${window.id}/cancel`,
      headers: await admin(),
    })
    expect(cancelled.statusCode).toBe(200)
    expect(cancelled.json()).toMatchObject({
      cancelledAt: '2026-01-11T00:00:00.000Z',
      cancelledBy: expect.any(String),
    })
    expect(await activeMaintenance(t.ctx, new Date('2026-01-11T01:30:00Z'))).toEqual([])
    expect(
      (await occurrences('2026-01-10T00:00:00Z', '2026-01-12T00:00:00Z')).filter(
        (o) => o.windowId === window.id,
      ),
    ).toEqual([
      expect.objectContaining({ start: '2026-01-10T22:00:00.000Z', end: '2026-01-11T00:00:00.000Z' }),
    ])
    expect((await list()).map((w) => w.id)).not.toContain(window.id)
    expect((await list('?includePast=true')).map((w) => w.id)).toContain(window.id)

    const again = await t.app.inject({
      method: 'POST',
      url: `/api/maintenance/windows/${window.id}/cancel`,
      headers: await admin(),
    })
    expect(again.statusCode).toBe(409)
    const patchCancelled = await t.app.inject({
      method: 'PATCH',
      url: `/api/maintenance/windows/${window.id}`,
      headers: await admin(),
      payload: { title: 'x' },
    })
    expect(patchCancelled.statusCode).toBe(409)
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/maintenance/windows/00000000-0000-4000-8000-000000000000/cancel',
      headers: await admin(),
    })
    expect(unknown.statusCode).toBe(404)

    const actions = await t.ctx.db
      .selectFrom('audit_logs')
      .select(['action', 'old_values', 'new_values'])
      .where('target_id', '=', window.id)
      .orderBy('id')
      .execute()
    expect(actions.map((a) => a.action)).toEqual([
      'maintenance_create',
      'maintenance_update',
      'maintenance_cancel',
    ])
    expect(actions[1]).toMatchObject({
      old_values: { title: 'Database upgrade', readOnly: false, end: '2026-01-11T01:00:00.000Z' },
      new_values: { title: 'Database upgrade (v17)', readOnly: true, end: '2026-01-11T02:00:00.000Z' },
    })
  })

  it.each([
    ['an unknown time zone', { ...MONTHLY, timezone: 'Mars/Olympus_Mons' }, 'INVALID_TIMEZONE'],
    ['an offset instead of a zone', { ...MONTHLY, timezone: '+02:00' }, 'INVALID_TIMEZONE'],
    ['a bad cron pattern', { ...MONTHLY, cron: '0 2 * * SUN#9' }, 'INVALID_CRON'],
    ['a six-field pattern', { ...MONTHLY, cron: '0 0 2 * * *' }, 'INVALID_CRON'],
    ['a pattern that never starts', { ...MONTHLY, cron: '0 2 30 2 *' }, 'INVALID_CRON'],
    [
      'occurrences that overlap',
      { ...MONTHLY, cron: '0 2 * * *', durationMinutes: 25 * 60 },
      'OVERLAPPING_OCCURRENCES',
    ],
    ['a pattern every minute', { ...MONTHLY, cron: '* * * * *', durationMinutes: 1 }, 'TOO_FREQUENT'],
    ['a recurrence without a duration', { title: 'x', timezone: NY, cron: '0 2 * * *' }, 'VALIDATION_FAILED'],
    [
      'an end before the start',
      { title: 'x', timezone: NY, start: '2026-02-01T04:00:00Z', end: '2026-02-01T02:00:00Z' },
      'INVALID_RANGE',
    ],
    [
      'a window that is over',
      { title: 'x', timezone: NY, start: '2025-01-01T02:00:00Z', end: '2025-01-01T04:00:00Z' },
      'INVALID_RANGE',
    ],
    [
      'both kinds at once',
      { ...MONTHLY, start: '2026-02-01T02:00:00Z', end: '2026-02-01T04:00:00Z' },
      'WRONG_KIND',
    ],
    [
      'a start without an offset',
      { title: 'x', timezone: NY, start: '2026-02-01T02:00', end: '2026-02-01T04:00' },
      'VALIDATION_FAILED',
    ],
    [
      'no time zone',
      { title: 'x', start: '2026-02-01T02:00:00Z', end: '2026-02-01T04:00:00Z' },
      'VALIDATION_FAILED',
    ],
    ['a blank title', { ...MONTHLY, title: '   ' }, 'VALIDATION_FAILED'],
  ])('refuses %s with 400', async (_name, payload, code) => {
    const res = await create(payload)
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe(code)
  })

  it('lets only admins schedule, and every signed-in role read', async () => {
    const asOperator = await t.app.inject({
      method: 'POST',
      url: '/api/maintenance/windows',
      headers: await as(t.ctx, 'manager'),
      payload: MONTHLY,
    })
    expect(asOperator.statusCode).toBe(403)
    expect((await t.app.inject({ url: '/api/maintenance/windows' })).statusCode).toBe(401)
    expect(
      (await t.app.inject({ url: '/api/maintenance/banner', headers: await as(t.ctx, 'viewer') })).statusCode,
    ).toBe(200)
    const tooLong = await t.app.inject({
      url: '/api/maintenance/occurrences?from=2026-01-01T00:00:00Z&to=2027-06-01T00:00:00Z',
      headers: await as(t.ctx, 'viewer'),
    })
    expect(tooLong.statusCode).toBe(400)
  })
})

describe('maintenance banner', () => {
  let t: TestApp
  const clock = new TestClock('2026-05-01T09:00:00Z')
  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false })
  })
  afterAll(() => t.close())

  const banner = async () =>
    (await t.app.inject({ url: '/api/maintenance/banner', headers: await as(t.ctx, 'viewer') })).json()

  it('shows a window from 48 hours before it starts until it ends', async () => {
    const start = new Date(clock.ms() + 49 * HOUR)
    const end = new Date(start.getTime() + 2 * HOUR)
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/maintenance/windows',
      headers: await as(t.ctx, 'admin'),
      payload: { title: 'Warehouse system move', timezone: NY, start, end, readOnly: true },
    })
    expect(res.statusCode).toBe(201)
    const expected = {
      windowId: res.json().id,
      title: 'Warehouse system move',
      start: start.toISOString(),
      end: end.toISOString(),
      readOnly: true,
      timezone: NY,
    }

    expect(await banner()).toBeNull() // 49 h before
    clock.advance(2 * HOUR)
    expect(await banner()).toEqual({ ...expected, inProgress: false }) // 47 h before
    clock.advance(47 * HOUR + 30 * 60_000)
    expect(await banner()).toEqual({ ...expected, inProgress: true }) // 30 minutes in
    clock.advance(90 * 60_000)
    expect(await banner()).toBeNull() // it ended
  })
})

describe('read-only mode', () => {
  let t: TestApp
  const clock = new TestClock('2026-06-01T12:00:00Z')
  const probe = (app: FastifyInstance) => {
    for (const method of ['POST', 'PUT', 'DELETE'] as const)
      app.route({
        method,
        url: '/api/test/change',
        config: { access: 'operator' },
        handler: async () => ({ ok: true }),
      })
    app.get('/api/test/change', { config: { access: 'operator' } }, async () => ({ ok: true }))
  }
  const events: { type: string }[] = []
  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false, plugins: [probe] })
    await maintenanceModule.start!(t.ctx) // the bus subscription
    t.ctx.bus.subscribe(BUSINESS_EVENTS, (message) => events.push(message as { type: string }))
    await createUser(
      t.ctx,
      {
        email: 'olive@example.com',
        name: 'Olive',
        role: 'operator',
        password: 'correct horse battery staple',
      },
      { type: 'system', id: 'test' },
    )
  })
  afterAll(() => t.close())

  const change = async (role: 'operator' | 'admin', method: 'POST' | 'PUT' | 'DELETE' = 'POST') =>
    t.app.inject({ method, url: '/api/test/change', headers: await as(t.ctx, role), payload: {} })
  const insertWindow = (readOnly: boolean) =>
    t.ctx.db
      .insertInto('maintenance_windows')
      .values({
        id: crypto.randomUUID(),
        title: 'Inserted behind the cache',
        timezone: 'UTC',
        read_only: readOnly,
        starts_at: clock.now(),
        ends_at: new Date(clock.ms() + HOUR),
        created_at: clock.now(),
        updated_at: clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()

  it('refuses changes by non-admins with 503 and Retry-After until the window ends', async () => {
    expect((await change('operator')).statusCode).toBe(200) // the windows are now in memory

    const created = await t.app.inject({
      method: 'POST',
      url: '/api/maintenance/windows',
      headers: await as(t.ctx, 'admin'),
      payload: {
        title: 'Stock count',
        timezone: 'Europe/London',
        start: clock.now().toISOString(),
        end: new Date(clock.ms() + 90 * 60_000).toISOString(),
        readOnly: true,
      },
    })
    expect(created.statusCode).toBe(201)
    expect(events.map((e) => e.type)).toContain('maintenance.changed')

    // at once, without waiting for the 30-second refresh
    const refused = await change('operator')
    expect(refused.statusCode).toBe(503)
    expect(refused.headers['retry-after']).toBe(String(90 * 60))
    expect(refused.json().error).toMatchObject({ code: 'maintenance_read_only' })
    for (const method of ['PUT', 'DELETE'] as const)
      expect((await change('operator', method)).statusCode).toBe(503)

    clock.advance(10 * 60_000)
    expect((await change('operator')).headers['retry-after']).toBe(String(80 * 60))

    // reading, admins, and signing in still work
    expect(
      (await t.app.inject({ url: '/api/test/change', headers: await as(t.ctx, 'operator') })).statusCode,
    ).toBe(200)
    expect(
      (await t.app.inject({ url: '/api/maintenance/windows', headers: await as(t.ctx, 'viewer') }))
        .statusCode,
    ).toBe(200)
    expect((await change('admin')).statusCode).toBe(200)
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: 'olive@example.com', password: 'correct horse battery staple' },
    })
    expect(signIn.statusCode).toBe(200)
    const cookie = ([] as string[])
      .concat(signIn.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ')
    const bySession = await t.app.inject({
      method: 'POST',
      url: '/api/test/change',
      headers: { cookie, origin: t.ctx.config.publicUrl },
      payload: {},
    })
    expect(bySession.statusCode).toBe(503)
    // no credentials: the access check answers first
    expect((await t.app.inject({ method: 'POST', url: '/api/test/change', payload: {} })).statusCode).toBe(
      401,
    )

    clock.advance(80 * 60_000) // the window ends
    expect((await change('operator')).statusCode).toBe(200)
  })

  it('reads the windows from memory: a change is seen through the bus or after 30 seconds, not per request', async () => {
    expect((await change('operator')).statusCode).toBe(200)
    const first = await insertWindow(true) // written behind the cache's back
    expect((await change('operator')).statusCode).toBe(200) // still the list in memory
    await t.ctx.bus.publish(MAINTENANCE_CHANNEL, { id: first.id }) // as another replica announces it
    expect((await change('operator')).statusCode).toBe(503)

    const cancel = await t.app.inject({
      method: 'POST',
      url: `/api/maintenance/windows/${first.id}/cancel`,
      headers: await as(t.ctx, 'admin'),
    })
    expect(cancel.statusCode).toBe(200)
    expect((await change('operator')).statusCode).toBe(200)

    await insertWindow(true)
    clock.advance(29_000)
    expect((await change('operator')).statusCode).toBe(200)
    clock.advance(2000)
    expect((await change('operator')).statusCode).toBe(503)
  })

  it('leaves changes alone during a window that is not read-only', async () => {
    clock.advance(2 * HOUR)
    await insertWindow(false)
    clock.advance(31_000)
    expect((await change('operator')).statusCode).toBe(200)
    expect(await activeMaintenance(t.ctx, clock.now())).toHaveLength(1)
  })
})
