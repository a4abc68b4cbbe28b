import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { insertDemoCatalog } from '../demo/catalog.ts'
import { recordMovement } from '../inventory/ledger.ts'
import { componentNeed } from './service.ts'

type Headers = { authorization: string }

describe('componentNeed', () => {
  it('multiplies the BOM quantity by the units made and rounds up, without float noise', () => {
    expect(componentNeed(1, 900)).toBe(900)
    expect(componentNeed(0.5, 900)).toBe(450)
    expect(componentNeed(0.5, 901)).toBe(451)
    expect(componentNeed(0.1, 30)).toBe(3) // 0.1 × 30 is 3.0000000000000004 in floating point
    expect(componentNeed(0.3333, 3)).toBe(1)
  })
})

describe('production', () => {
  const clock = new TestClock('2026-03-03T12:00:00Z')
  let t: TestApp
  let viewer: Headers
  let operator: Headers
  let manager: Headers

  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock })
    await insertDemoCatalog(t.ctx.db)
    await t.ctx.db.transaction().execute(async (tx) => {
      const stock = { 'BOTTLE-500': 5000, 'CAP-28': 5000, 'LABEL-SET': 5000, 'BASE-GABA': 2000 }
      for (const [sku, quantity] of Object.entries(stock))
        await recordMovement(tx, {
          kind: 'receipt',
          sku,
          locationCode: 'FACTORY',
          quantity,
          occurredAt: new Date('2026-03-01T00:00:00Z'),
          actor: 'test',
        })
    })
    viewer = await as(t.ctx, 'viewer')
    operator = await as(t.ctx, 'operator')
    manager = await as(t.ctx, 'manager')
  })
  afterAll(() => t.close())

  const plan = (payload: object, headers: Headers = manager) =>
    t.app.inject({ method: 'POST', url: '/api/production/batches', headers, payload })
  const act = (id: string, action: string, payload?: object, headers: Headers = operator) =>
    t.app.inject({ method: 'POST', url: `/api/production/batches/${id}/${action}`, headers, payload })
  const level = async (sku: string) =>
    (
      await t.ctx.db
        .selectFrom('stock_levels')
        .select('on_hand')
        .where('sku', '=', sku)
        .where('location_code', '=', 'FACTORY')
        .executeTakeFirst()
    )?.on_hand ?? 0
  const movementCount = async () =>
    Number(
      (
        await t.ctx.db
          .selectFrom('stock_movements')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  /** Plans and starts a batch; returns its id. */
  const running = async (payload: object, at: string) => {
    const planned = await plan(payload)
    expect(planned.statusCode, planned.body).toBe(201)
    const id = planned.json().id as string
    expect((await act(id, 'start', { at })).statusCode).toBe(200)
    return id
  }

  it('plans, starts, records downtime and completes a batch: components consumed, output booked', async () => {
    const planned = await plan({
      line: 'LINE-1',
      sku: 'GABA-RED',
      plannedQuantity: 1000,
      plannedStart: '2026-03-02T06:00:00Z',
      plannedEnd: '2026-03-02T07:00:00Z',
    })
    expect(planned.statusCode, planned.body).toBe(201)
    const batch = planned.json()
    expect(batch).toMatchObject({
      line: 'LINE-1',
      sku: 'GABA-RED',
      location: 'FACTORY', // the only factory
      lot: 'L20260302-LINE-1',
      status: 'planned',
      plannedQuantity: 1000,
      startedAt: null,
      downtimeMinutes: 0,
      oee: null,
    })
    expect(batch.id).toMatch(/^batch_/)

    const started = await act(batch.id, 'start', { at: '2026-03-02T06:00:00Z' })
    expect(started.json()).toMatchObject({ status: 'running', startedAt: '2026-03-02T06:00:00.000Z' })
    const stop = await act(batch.id, 'downtime', {
      reason: 'label jam',
      minutes: 6,
      startedAt: '2026-03-02T06:30:00Z',
    })
    expect(stop.statusCode).toBe(201)
    expect(stop.json()).toMatchObject({ status: 'running', downtimeMinutes: 6, oee: null })

    // 900 units made: 855 good, 45 rejected. Each unit takes one bottle, cap and label set and
    // 0.5 l of base: 900, 900, 900 and 450.
    const done = await act(batch.id, 'complete', {
      goodCount: 855,
      rejectedCount: 45,
      at: '2026-03-02T07:00:00Z',
    })
    expect(done.statusCode, done.body).toBe(200)
    const { batch: completed, movements, levels } = done.json()
    // A = 54/60 = 0.9; P = 900 units × 0.05 min ideal = 45 / 54 run = 0.8333; Q = 855/900 = 0.95
    expect(completed).toMatchObject({
      status: 'completed',
      goodCount: 855,
      rejectedCount: 45,
      endedAt: '2026-03-02T07:00:00.000Z',
      downtimeMinutes: 6,
      oee: { availability: 0.9, performance: 0.8333, quality: 0.95, oee: 0.7125 },
    })
    const booked = movements.map((m: Record<string, unknown>) => [
      m.kind,
      m.sku,
      m.quantity,
      m.lot,
      m.expiresOn,
    ])
    expect(booked).toEqual([
      ['consumption', 'BASE-GABA', -450, null, null],
      ['consumption', 'BOTTLE-500', -900, null, null],
      ['consumption', 'CAP-28', -900, null, null],
      ['consumption', 'LABEL-SET', -900, null, null],
      ['production_output', 'GABA-RED', 855, 'L20260302-LINE-1', '2027-08-24'], // 540 days on
    ])
    for (const m of movements)
      expect(m).toMatchObject({
        location: 'FACTORY',
        occurredAt: '2026-03-02T07:00:00.000Z',
        referenceType: 'batch',
        referenceId: batch.id,
      })
    expect(levels.map((l: { sku: string; onHand: number }) => [l.sku, l.onHand])).toEqual([
      ['BASE-GABA', 1550],
      ['BOTTLE-500', 4100],
      ['CAP-28', 4100],
      ['LABEL-SET', 4100],
      ['GABA-RED', 855],
    ])
    expect(await level('BOTTLE-500')).toBe(4100)
    expect(await level('GABA-RED')).toBe(855)

    // a second batch that day on that line gets its own lot
    const second = await plan({
      line: 'LINE-1',
      sku: 'GABA-BLACK',
      plannedQuantity: 500,
      plannedStart: '2026-03-02T14:00:00Z',
      plannedEnd: '2026-03-02T15:00:00Z',
      location: 'FACTORY',
    })
    expect(second.json().lot).toBe('L20260302-LINE-1-2')
    expect((await act(second.json().id, 'cancel')).json()).toMatchObject({
      status: 'cancelled',
      endedAt: null,
    })
  })

  it('refuses a completion when a component is short and writes nothing', async () => {
    const id = await running(
      {
        line: 'LINE-2',
        sku: 'GABA-GOLD',
        plannedQuantity: 1000,
        plannedStart: '2026-03-01T06:00:00Z',
        plannedEnd: '2026-03-01T08:00:00Z',
      },
      '2026-03-01T06:00:00Z',
    )
    const levelsBefore = await t.ctx.db
      .selectFrom('stock_levels')
      .selectAll()
      .orderBy('sku')
      .orderBy('location_code')
      .execute()
    const movementsBefore = await movementCount()
    // 4200 units need 2100 l of base (1550 on hand) and 4200 bottles (4100)
    const res = await act(id, 'complete', { goodCount: 4100, rejectedCount: 100, at: '2026-03-01T08:00:00Z' })
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('INSUFFICIENT_STOCK')
    expect(
      await t.ctx.db.selectFrom('stock_levels').selectAll().orderBy('sku').orderBy('location_code').execute(),
    ).toEqual(levelsBefore)
    expect(await movementCount()).toBe(movementsBefore)
    const batch = (await t.app.inject({ url: `/api/production/batches/${id}`, headers: viewer })).json()
    expect(batch).toMatchObject({ status: 'running', goodCount: 0, rejectedCount: 0, endedAt: null })

    // cancelling a running batch ends it now, and consumes nothing
    const cancelled = await act(id, 'cancel')
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      endedAt: clock.now().toISOString(),
      oee: null,
    })
    expect(await movementCount()).toBe(movementsBefore)
  })

  it('moves only planned → running → completed, or to cancelled before completion', async () => {
    const planned = (
      await plan({
        line: 'LINE-2',
        sku: 'GABA-RED',
        plannedQuantity: 100,
        plannedStart: '2026-03-03T08:00:00Z',
        plannedEnd: '2026-03-03T09:00:00Z',
      })
    ).json()
    const expectRefusal = async (action: string, payload: object | undefined, code: string) => {
      const res = await act(planned.id, action, payload)
      expect(res.statusCode, `${action}: ${res.body}`).toBe(409)
      expect(res.json().error.code).toBe(code)
    }
    await expectRefusal('complete', { goodCount: 1, rejectedCount: 0 }, 'INVALID_TRANSITION')
    await expectRefusal('downtime', { reason: 'jam', minutes: 5 }, 'BATCH_NOT_RUNNING')
    // without a body: starts now
    const started = await act(planned.id, 'start')
    expect(started.json()).toMatchObject({ status: 'running', startedAt: clock.now().toISOString() })
    await expectRefusal('start', {}, 'INVALID_TRANSITION')

    // one batch at a time on a line
    const other = (
      await plan({
        line: 'LINE-2',
        sku: 'GABA-RED',
        plannedQuantity: 100,
        plannedStart: '2026-03-03T10:00:00Z',
        plannedEnd: '2026-03-03T11:00:00Z',
      })
    ).json()
    const busy = await act(other.id, 'start')
    expect(busy.statusCode).toBe(409)
    expect(busy.json().error.code).toBe('LINE_BUSY')

    expect((await act(planned.id, 'cancel')).json().status).toBe('cancelled')
    await expectRefusal('cancel', undefined, 'INVALID_TRANSITION')
    await expectRefusal('start', {}, 'INVALID_TRANSITION')
    await expectRefusal('complete', { goodCount: 1, rejectedCount: 0 }, 'INVALID_TRANSITION')
    expect((await act(other.id, 'start')).statusCode).toBe(200)
    expect((await act(other.id, 'cancel')).statusCode).toBe(200)

    expect((await act('batch_nope', 'start')).statusCode).toBe(404)
    expect(
      (await t.app.inject({ url: '/api/production/batches/batch_nope', headers: viewer })).statusCode,
    ).toBe(404)
  })

  it('refuses bad plans, downtime and counts with a clear code', async () => {
    const good = {
      line: 'LINE-1',
      sku: 'GABA-RED',
      plannedQuantity: 100,
      plannedStart: '2026-03-04T06:00:00Z',
      plannedEnd: '2026-03-04T07:00:00Z',
    }
    await t.ctx.db
      .insertInto('products')
      .values({ sku: 'GABA-NEW', name: 'GABA New', kind: 'finished', unit_cost: 7, lead_time_days: 7 })
      .execute()
    const before = await t.ctx.db.selectFrom('production_batches').select('id').execute()
    const plans: [object, number, string][] = [
      [{ ...good, line: 'LINE-9' }, 422, 'UNKNOWN_LINE'],
      [{ ...good, sku: 'NOPE' }, 422, 'UNKNOWN_SKU'],
      [{ ...good, sku: 'BOTTLE-500' }, 422, 'NOT_A_FINISHED_PRODUCT'],
      [{ ...good, sku: 'GABA-NEW' }, 422, 'NO_BOM'],
      [{ ...good, location: 'NOWHERE' }, 422, 'UNKNOWN_LOCATION'],
      [{ ...good, location: 'UK-WH' }, 422, 'NOT_A_FACTORY'],
      [{ ...good, plannedEnd: '2026-03-04T05:00:00Z' }, 400, 'VALIDATION_FAILED'],
      [{ ...good, plannedEnd: good.plannedStart }, 400, 'VALIDATION_FAILED'],
      [{ ...good, plannedQuantity: 0 }, 400, 'VALIDATION_FAILED'],
      [{ ...good, plannedQuantity: -5 }, 400, 'VALIDATION_FAILED'],
      [{ ...good, colour: 'red' }, 400, 'VALIDATION_FAILED'],
    ]
    for (const [payload, status, code] of plans) {
      const res = await plan(payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(status)
      expect(res.json().error.code, JSON.stringify(payload)).toBe(code)
    }
    expect(await t.ctx.db.selectFrom('production_batches').select('id').execute()).toEqual(before)

    const id = await running(good, '2026-03-03T11:00:00Z')
    const actions: [string, object, number, string][] = [
      ['downtime', { reason: 'jam', minutes: 0 }, 400, 'VALIDATION_FAILED'],
      ['downtime', { reason: 'jam', minutes: 1441 }, 400, 'VALIDATION_FAILED'],
      ['downtime', { reason: '', minutes: 5 }, 400, 'VALIDATION_FAILED'],
      ['downtime', { reason: '   ', minutes: 5 }, 400, 'VALIDATION_FAILED'],
      ['downtime', { reason: 'x'.repeat(101), minutes: 5 }, 400, 'VALIDATION_FAILED'],
      ['downtime', { reason: 'jam', minutes: 5, startedAt: '2026-03-03T10:59:00Z' }, 422, 'INVALID_DATE'],
      ['complete', { goodCount: -1, rejectedCount: 0 }, 400, 'VALIDATION_FAILED'],
      ['complete', { goodCount: 10, rejectedCount: -1 }, 400, 'VALIDATION_FAILED'],
      ['complete', { goodCount: 1.5, rejectedCount: 0 }, 400, 'VALIDATION_FAILED'],
      ['complete', { goodCount: 0, rejectedCount: 0 }, 400, 'VALIDATION_FAILED'],
      ['complete', { goodCount: 1000, rejectedCount: 1 }, 422, 'IMPLAUSIBLE_COUNT'], // > 10 × 100
      ['complete', { goodCount: 10, rejectedCount: 0, at: '2026-03-03T10:00:00Z' }, 422, 'INVALID_DATE'],
      ['complete', { goodCount: 10, rejectedCount: 0, at: '2026-03-03T13:00:00Z' }, 422, 'INVALID_DATE'],
    ]
    for (const [action, payload, status, code] of actions) {
      const res = await act(id, action, payload)
      expect(res.statusCode, `${action} ${JSON.stringify(payload)}`).toBe(status)
      expect(res.json().error.code, `${action} ${JSON.stringify(payload)}`).toBe(code)
    }
    // 50 minutes of stops in a run of 30 minutes cannot be
    expect((await act(id, 'downtime', { reason: 'power cut', minutes: 50 })).statusCode).toBe(201)
    const tooMuch = await act(id, 'complete', { goodCount: 10, rejectedCount: 0, at: '2026-03-03T11:30:00Z' })
    expect(tooMuch.json().error.code).toBe('DOWNTIME_EXCEEDS_RUN')
    const batch = (await t.app.inject({ url: `/api/production/batches/${id}`, headers: viewer })).json()
    expect(batch).toMatchObject({ status: 'running', goodCount: 0, downtimeMinutes: 50 })
    expect((await act(id, 'cancel')).statusCode).toBe(200)
  })

  it('lets viewers read, operators run batches and managers plan them', async () => {
    const body = {
      line: 'LINE-1',
      sku: 'GABA-RED',
      plannedQuantity: 10,
      plannedStart: '2026-03-01T06:00:00Z',
      plannedEnd: '2026-03-01T06:30:00Z',
    }
    expect((await t.app.inject({ url: '/api/production/batches', headers: viewer })).statusCode).toBe(200)
    expect((await t.app.inject({ url: '/api/production/oee', headers: viewer })).statusCode).toBe(200)
    expect((await plan(body, viewer)).statusCode).toBe(403)
    expect((await plan(body, operator)).statusCode).toBe(403)
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/production/batches', payload: body })).statusCode,
    ).toBe(401)
    const planned = await plan(body, manager)
    expect(planned.statusCode).toBe(201)
    const { id } = planned.json()
    expect((await act(id, 'start', { at: '2026-03-01T06:00:00Z' }, viewer)).statusCode).toBe(403)
    expect((await act(id, 'start', { at: '2026-03-01T06:00:00Z' }, operator)).statusCode).toBe(200)
    expect((await act(id, 'downtime', { reason: 'jam', minutes: 1 }, viewer)).statusCode).toBe(403)
    expect((await act(id, 'cancel', undefined, viewer)).statusCode).toBe(403)
    const done = await act(
      id,
      'complete',
      { goodCount: 10, rejectedCount: 0, at: '2026-03-01T06:30:00Z' },
      operator,
    )
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json().batch.status).toBe('completed')
  })

  it('reports OEE per line and for the plant, rolled up from times and counts, never averaged', async () => {
    // LINE-2 on 2 March: 120 minutes, no stops, 1500 units (1440 good) at 900/h ideal (100 minutes)
    const id = await running(
      {
        line: 'LINE-2',
        sku: 'GABA-BLACK',
        plannedQuantity: 1500,
        plannedStart: '2026-03-02T08:00:00Z',
        plannedEnd: '2026-03-02T10:00:00Z',
      },
      '2026-03-02T08:00:00Z',
    )
    const done = await act(id, 'complete', { goodCount: 1440, rejectedCount: 60, at: '2026-03-02T10:00:00Z' })
    expect(done.json().batch.oee).toEqual({ availability: 1, performance: 0.8333, quality: 0.96, oee: 0.8 })

    const window = 'from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z'
    const res = await t.app.inject({ url: `/api/production/oee?${window}&by=line`, headers: viewer })
    expect(res.statusCode, res.body).toBe(200)
    const report = res.json()
    expect(report.lines).toEqual([
      {
        line: 'LINE-1',
        batches: 1,
        plannedMinutes: 60,
        downtimeMinutes: 6,
        goodCount: 855,
        rejectedCount: 45,
        availability: 0.9,
        performance: 0.8333,
        quality: 0.95,
        oee: 0.7125,
      },
      {
        line: 'LINE-2',
        batches: 1,
        plannedMinutes: 120,
        downtimeMinutes: 0,
        goodCount: 1440,
        rejectedCount: 60,
        availability: 1,
        performance: 0.8333,
        quality: 0.96,
        oee: 0.8,
      },
    ])
    // Plant: A = 174/180, P = 145/174, Q = 2295/2400, OEE = 145/180 × 0.95625 = 0.7703,
    // not the average of the lines' 0.7125 and 0.8 (0.7563).
    expect(report.plant).toEqual({
      batches: 2,
      plannedMinutes: 180,
      downtimeMinutes: 6,
      goodCount: 2295,
      rejectedCount: 105,
      availability: 0.9667,
      performance: 0.8333,
      quality: 0.9563,
      oee: 0.7703,
    })

    const plant = (
      await t.app.inject({ url: `/api/production/oee?${window}&by=plant`, headers: viewer })
    ).json()
    expect(plant).toMatchObject({ by: 'plant', lines: [], plant: report.plant })
    // the default window is the 7 days before now: every batch completed in these tests
    const week = (await t.app.inject({ url: '/api/production/oee', headers: viewer })).json()
    expect(week).toMatchObject({ from: '2026-02-24T12:00:00.000Z', to: '2026-03-03T12:00:00.000Z' })
    expect(week.plant.batches).toBe(3)
    const bad = await t.app.inject({
      url: '/api/production/oee?from=2026-03-03T00:00:00Z&to=2026-03-02T00:00:00Z',
      headers: viewer,
    })
    expect(bad.statusCode).toBe(400)
  })

  it('lists batches, latest planned start first, with filters and a cursor', async () => {
    const starts: string[] = []
    let cursor: string | null = null
    do {
      const res = await t.app.inject({
        url: `/api/production/batches?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: viewer,
      })
      expect(res.statusCode).toBe(200)
      const page = res.json() as { items: { plannedStart: string }[]; nextCursor: string | null }
      starts.push(...page.items.map((b) => b.plannedStart))
      cursor = page.nextCursor
    } while (cursor)
    const total = await t.ctx.db
      .selectFrom('production_batches')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(starts).toHaveLength(Number(total.n))
    expect([...starts].sort().reverse()).toEqual(starts)

    const completed = (
      await t.app.inject({ url: '/api/production/batches?status=completed&line=LINE-2', headers: viewer })
    ).json().items
    expect(completed).toHaveLength(1)
    expect(completed[0]).toMatchObject({ sku: 'GABA-BLACK', downtimeMinutes: 0, oee: { oee: 0.8 } })
    const onDay = (
      await t.app.inject({
        url: '/api/production/batches?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&sku=GABA-RED',
        headers: viewer,
      })
    ).json().items
    expect(onDay.map((b: { lot: string }) => b.lot)).toEqual(['L20260302-LINE-1'])
    const garbage = await t.app.inject({ url: '/api/production/batches?cursor=garbage', headers: viewer })
    expect(garbage.statusCode).toBe(400)
  })
})
