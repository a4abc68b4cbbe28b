import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeTestContext, createTestContext } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import type { AppContext } from '../../context.ts'
import { type Contact, createContact } from './contacts.ts'
import { createOverride } from './overrides.ts'
import { assignRole } from './roles.ts'
import { createSchedule, putRotation, updateSchedule } from './schedules.ts'
import { contactForRole, getContact, onCallAt } from './service.ts'
import type { Change } from './writes.ts'

/** Who is on call, through the services on a real database, with time moved by the test clock. */

const change: Change = { actor: { type: 'system', id: 'test' } }

describe('on-call', () => {
  let ctx: AppContext
  const clock = new TestClock('2026-01-01T00:00:00Z')
  const setTime = (instant: string) => clock.advance(new Date(instant).getTime() - clock.ms())
  let alice: Contact
  let bob: Contact
  let carol: Contact
  let london: string

  beforeAll(async () => {
    ctx = await createTestContext({ clock, start: false })
  })
  afterAll(() => closeTestContext(ctx))

  const person = (name: string) =>
    createContact(ctx, { name, kind: 'person', email: `${name.toLowerCase()}@example.com` }, change)

  it('answers null when no schedule exists', async () => {
    expect(await onCallAt(ctx)).toBeNull()
    expect(await onCallAt(ctx, { schedule: 'Platform' })).toBeNull()
  })

  it('sets up a weekly rotation of three with Monday 09:00 Europe/London handoffs', async () => {
    alice = await person('Alice')
    bob = await person('Bob')
    carol = await person('Carol')
    const schedule = await createSchedule(ctx, { name: 'Platform', timezone: 'europe/london' }, change)
    expect(schedule.timezone).toBe('Europe/London')
    london = schedule.id
    const weekly = { shiftDays: 7, handoffTime: '09:00', startDate: '2026-01-05' }
    await putRotation(
      ctx,
      london,
      'primary',
      { ...weekly, participants: [alice.id, bob.id, carol.id] },
      change,
    )
    await putRotation(
      ctx,
      london,
      'secondary',
      { ...weekly, participants: [carol.id, bob.id, alice.id] },
      change,
    )
  })

  // [instant, primary, secondary, primaryUntil]: either side of each handoff, the DST weeks included.
  const expectations: [string, string | null, string | null, string][] = [
    ['2026-01-05T08:59:59Z', null, null, '2026-01-05T09:00:00.000Z'],
    ['2026-01-05T09:00:00Z', 'Alice', 'Carol', '2026-01-12T09:00:00.000Z'],
    ['2026-01-12T08:59:59Z', 'Alice', 'Carol', '2026-01-12T09:00:00.000Z'],
    ['2026-01-12T09:00:00Z', 'Bob', 'Bob', '2026-01-19T09:00:00.000Z'],
    // March: the clocks go forward on Sunday 29th; Monday 30th 09:00 BST is 08:00Z (a 167-hour shift).
    ['2026-03-23T08:59:59Z', 'Bob', 'Bob', '2026-03-23T09:00:00.000Z'],
    ['2026-03-23T09:00:00Z', 'Carol', 'Alice', '2026-03-30T08:00:00.000Z'],
    ['2026-03-30T07:59:59Z', 'Carol', 'Alice', '2026-03-30T08:00:00.000Z'],
    ['2026-03-30T08:00:00Z', 'Alice', 'Carol', '2026-04-06T08:00:00.000Z'],
    // October: the clocks go back on Sunday 25th; Monday 26th 09:00 GMT is 09:00Z (a 169-hour shift).
    ['2026-10-19T07:59:59Z', 'Bob', 'Bob', '2026-10-19T08:00:00.000Z'],
    ['2026-10-19T08:00:00Z', 'Carol', 'Alice', '2026-10-26T09:00:00.000Z'],
    ['2026-10-26T08:00:00Z', 'Carol', 'Alice', '2026-10-26T09:00:00.000Z'],
    ['2026-10-26T08:59:59Z', 'Carol', 'Alice', '2026-10-26T09:00:00.000Z'],
    ['2026-10-26T09:00:00Z', 'Alice', 'Carol', '2026-11-02T09:00:00.000Z'],
  ]

  it.each(expectations)(
    'at %s: primary %s, secondary %s, handoff at %s',
    async (instant, primary, secondary, until) => {
      setTime(instant)
      const now = await onCallAt(ctx)
      expect(now?.schedule).toEqual({ id: london, name: 'Platform', timezone: 'Europe/London' })
      expect(now?.primary?.name ?? null).toBe(primary)
      expect(now?.secondary?.name ?? null).toBe(secondary)
      expect(now?.primaryUntil?.toISOString()).toBe(until)
      expect(now?.secondaryUntil?.toISOString()).toBe(until)
    },
  )

  it('takes an explicit instant and a schedule by name in any case', async () => {
    setTime('2026-01-01T00:00:00Z')
    const now = await onCallAt(ctx, { at: new Date('2026-03-30T08:00:00Z'), schedule: 'PLATFORM' })
    expect(now?.primary).toEqual(alice)
    expect(now?.primary?.email).toBe('alice@example.com')
    expect(
      (await onCallAt(ctx, { at: new Date('2026-03-30T08:00:00Z'), schedule: london }))?.primary,
    ).toEqual(alice)
    expect(await onCallAt(ctx, { schedule: 'Nope' })).toBeNull()
  })

  it('lets an override win and then expire, the latest created one winning', async () => {
    setTime('2026-03-24T12:00:00Z') // Carol's week
    await createOverride(
      ctx,
      london,
      {
        tier: 'primary',
        contactId: bob.id,
        start: new Date('2026-03-25T00:00:00Z'),
        end: new Date('2026-03-26T00:00:00Z'),
        reason: 'Carol at a wedding',
      },
      change,
    )
    let now = await onCallAt(ctx)
    expect(now?.primary?.name).toBe('Carol')
    expect(now?.primaryUntil?.toISOString()).toBe('2026-03-25T00:00:00.000Z')

    setTime('2026-03-25T06:00:00Z')
    now = await onCallAt(ctx)
    expect(now?.primary?.name).toBe('Bob')
    expect(now?.primaryUntil?.toISOString()).toBe('2026-03-26T00:00:00.000Z')
    expect(now?.secondary?.name).toBe('Alice') // the other tier is untouched

    await createOverride(
      ctx,
      london,
      {
        tier: 'primary',
        contactId: alice.id,
        start: new Date('2026-03-25T12:00:00Z'),
        end: new Date('2026-03-25T18:00:00Z'),
      },
      change,
    )
    setTime('2026-03-25T13:00:00Z')
    now = await onCallAt(ctx)
    expect(now?.primary?.name).toBe('Alice')
    expect(now?.primaryUntil?.toISOString()).toBe('2026-03-25T18:00:00.000Z')

    setTime('2026-03-25T18:00:00Z')
    expect((await onCallAt(ctx))?.primary?.name).toBe('Bob')

    setTime('2026-03-26T00:00:00Z')
    now = await onCallAt(ctx)
    expect(now?.primary?.name).toBe('Carol')
    expect(now?.primaryUntil?.toISOString()).toBe('2026-03-30T08:00:00.000Z')
  })

  it('uses the flagged default schedule when there are several', async () => {
    setTime('2026-06-01T12:00:00Z')
    const database = await createSchedule(ctx, { name: 'Database', timezone: 'America/New_York' }, change)
    await putRotation(
      ctx,
      database.id,
      'primary',
      { participants: [bob.id], shiftDays: 1, handoffTime: '08:00', startDate: '2026-05-01' },
      change,
    )
    // Without a flag, the first created is the default.
    expect((await onCallAt(ctx))?.schedule.name).toBe('Platform')
    await updateSchedule(ctx, database.id, { isDefault: true }, change)
    const now = await onCallAt(ctx)
    expect(now?.schedule).toEqual({ id: database.id, name: 'Database', timezone: 'America/New_York' })
    expect(now?.primary?.name).toBe('Bob')
    expect(now?.secondary).toBeNull()
    expect(now?.secondaryUntil).toBeNull()
    // 08:00 EDT on 2 June is 12:00Z.
    expect(now?.primaryUntil?.toISOString()).toBe('2026-06-02T12:00:00.000Z')
    expect((await onCallAt(ctx, { schedule: 'platform' }))?.schedule.name).toBe('Platform')
    // Flagging another one moves the default.
    await updateSchedule(ctx, london, { isDefault: true }, change)
    expect((await onCallAt(ctx))?.schedule.name).toBe('Platform')
  })

  it('names the contact holding an escalation role, or null when unassigned', async () => {
    expect(await contactForRole(ctx, 'cto')).toBeNull()
    await assignRole(ctx, 'cto', carol.id, change)
    await assignRole(ctx, 'engineering_lead', alice.id, change)
    expect(await contactForRole(ctx, 'cto')).toEqual(carol)
    expect((await contactForRole(ctx, 'engineering_lead'))?.name).toBe('Alice')
    expect(await contactForRole(ctx, 'ceo')).toBeNull()
    await assignRole(ctx, 'cto', null, change)
    expect(await contactForRole(ctx, 'cto')).toBeNull()
  })

  it('gets a contact by id, null for an unknown or malformed id', async () => {
    expect(await getContact(ctx, bob.id)).toEqual(bob)
    expect(await getContact(ctx, '00000000-0000-4000-8000-000000000000')).toBeNull()
    expect(await getContact(ctx, 'not-an-id')).toBeNull()
  })
})
