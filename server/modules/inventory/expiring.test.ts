import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { insertDemoCatalog } from '../demo/catalog.ts'
import { type Movement, recordMovement } from './ledger.ts'

const at = (day: string) => new Date(`${day}T08:00:00Z`)

const MOVES: Omit<Movement, 'actor'>[] = [
  // GABA-RED: two lots made at the factory, L1 partly sent on to the warehouse, which sold some
  {
    kind: 'production_output',
    sku: 'GABA-RED',
    locationCode: 'FACTORY',
    quantity: 100,
    occurredAt: at('2026-01-05'),
    lot: 'L1',
    expiresOn: '2026-03-25',
  },
  {
    kind: 'production_output',
    sku: 'GABA-RED',
    locationCode: 'FACTORY',
    quantity: 80,
    occurredAt: at('2026-02-05'),
    lot: 'L2',
    expiresOn: '2026-05-20',
  },
  {
    kind: 'transfer_out',
    sku: 'GABA-RED',
    locationCode: 'FACTORY',
    quantity: -60,
    occurredAt: at('2026-02-10'),
    lot: 'L1',
  },
  {
    kind: 'transfer_in',
    sku: 'GABA-RED',
    locationCode: 'UK-WH',
    quantity: 60,
    occurredAt: at('2026-02-10'),
    lot: 'L1',
  },
  { kind: 'sale', sku: 'GABA-RED', locationCode: 'UK-WH', quantity: -25, occurredAt: at('2026-02-20') },
  {
    kind: 'adjustment',
    sku: 'GABA-RED',
    locationCode: 'FACTORY',
    quantity: -50,
    occurredAt: at('2026-03-01'),
    note: 'broken',
  },
  // GABA-BLACK: a lot already past its expiry at the warehouse; at EU-3PL, K1 mostly sold, then a
  // short-dated lot K2 bought later
  {
    kind: 'receipt',
    sku: 'GABA-BLACK',
    locationCode: 'UK-WH',
    quantity: 12,
    occurredAt: at('2026-01-02'),
    lot: 'B0',
    expiresOn: '2026-03-01',
  },
  {
    kind: 'receipt',
    sku: 'GABA-BLACK',
    locationCode: 'EU-3PL',
    quantity: 50,
    occurredAt: at('2026-01-10'),
    lot: 'K1',
    expiresOn: '2026-09-01',
  },
  { kind: 'sale', sku: 'GABA-BLACK', locationCode: 'EU-3PL', quantity: -45, occurredAt: at('2026-02-01') },
  {
    kind: 'receipt',
    sku: 'GABA-BLACK',
    locationCode: 'EU-3PL',
    quantity: 20,
    occurredAt: at('2026-03-01'),
    lot: 'K2',
    expiresOn: '2026-03-20',
  },
  // GABA-GOLD: one lot expiring in 112 days, one without an expiry, one sold out
  {
    kind: 'receipt',
    sku: 'GABA-GOLD',
    locationCode: 'EU-3PL',
    quantity: 5,
    occurredAt: at('2026-01-02'),
    lot: 'G1',
    expiresOn: '2026-06-30',
  },
  {
    kind: 'receipt',
    sku: 'GABA-GOLD',
    locationCode: 'UK-WH',
    quantity: 7,
    occurredAt: at('2026-01-02'),
    lot: 'G0',
  },
  {
    kind: 'receipt',
    sku: 'GABA-GOLD',
    locationCode: 'US-3PL',
    quantity: 4,
    occurredAt: at('2026-01-02'),
    lot: 'G2',
    expiresOn: '2026-03-12',
  },
  { kind: 'sale', sku: 'GABA-GOLD', locationCode: 'US-3PL', quantity: -4, occurredAt: at('2026-01-09') },
]

describe('GET /api/inventory/expiring', () => {
  let t: TestApp
  let viewer: { authorization: string }

  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock('2026-03-10T12:00:00Z') })
    await insertDemoCatalog(t.ctx.db)
    await t.ctx.db.transaction().execute(async (tx) => {
      for (const move of MOVES) await recordMovement(tx, { ...move, actor: 'test' })
    })
    viewer = await as(t.ctx, 'viewer')
  })
  afterAll(() => t.close())

  const get = (query = '') =>
    t.app.inject({ method: 'GET', url: `/api/inventory/expiring${query}`, headers: viewer })

  // Worked by hand, today 2026-03-10 (sales take the oldest stock first):
  // UK-WH GABA-RED: L1 60 in, 35 on hand after the sale of 25 → 35 of L1, expiring 2026-03-25 (15 days;
  //   the expiry comes from the factory's output, the transfer states none).
  // FACTORY GABA-RED: L1 40 + L2 80 in lots, 70 on hand after 50 broken: the newest, L2, keeps 70
  //   (2026-05-20, 71 days) and L1 none.
  // UK-WH GABA-BLACK: B0 12, expired 2026-03-01 (−9 days).
  // EU-3PL GABA-BLACK: 25 on hand; K2 arrived after the sale, so keeps its 20 (2026-03-20, 10 days),
  //   K1 the other 5 (2026-09-01, 175 days).
  // EU-3PL GABA-GOLD: G1 5 (2026-06-30, 112 days). G0 has no expiry; G2 is sold out.
  const row = (
    sku: string,
    location: string,
    lot: string,
    quantity: number,
    expiresOn: string,
    daysLeft: number,
  ) => ({
    sku,
    name: expect.any(String),
    location,
    lot,
    quantity,
    expiresOn,
    daysLeft,
  })
  const b0 = row('GABA-BLACK', 'UK-WH', 'B0', 12, '2026-03-01', -9)
  const k2 = row('GABA-BLACK', 'EU-3PL', 'K2', 20, '2026-03-20', 10)
  const l1 = row('GABA-RED', 'UK-WH', 'L1', 35, '2026-03-25', 15)
  const l2 = row('GABA-RED', 'FACTORY', 'L2', 70, '2026-05-20', 71)
  const g1 = row('GABA-GOLD', 'EU-3PL', 'G1', 5, '2026-06-30', 112)
  const k1 = row('GABA-BLACK', 'EU-3PL', 'K1', 5, '2026-09-01', 175)

  it('lists the lots with stock left expiring within 30 days by default, expired ones included, soonest first', async () => {
    const res = await get()
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ asOf: '2026-03-10', days: 30, items: [b0, k2, l1] })
  })

  it('widens with days, narrows to a location, and with days=0 lists only what expires today or has expired', async () => {
    expect((await get('?days=90')).json().items).toEqual([b0, k2, l1, l2])
    expect((await get('?days=120')).json().items).toEqual([b0, k2, l1, l2, g1])
    expect((await get('?days=3650&location=UK-WH')).json().items).toEqual([b0, l1])
    expect((await get('?days=3650&location=EU-3PL')).json().items).toEqual([k2, g1, k1])
    expect((await get('?days=3650&location=FACTORY')).json().items).toEqual([l2])
    expect((await get('?days=0')).json().items).toEqual([b0])
    expect((await get('?location=US-3PL&days=365')).json().items).toEqual([])
  })

  it('refuses bad query values with 400 and the error shape, and callers without credentials', async () => {
    for (const query of [
      '?days=-1',
      '?days=abc',
      '?days=4000',
      '?days=1.5',
      '?location=bad%20code',
      '?other=1',
    ]) {
      const res = await get(query)
      expect(res.statusCode, query).toBe(400)
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.any(String) })
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/inventory/expiring' })).statusCode).toBe(401)
  })
})
