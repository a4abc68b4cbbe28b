import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { insertDemoCatalog } from '../demo/catalog.ts'
import { recordMovement } from './ledger.ts'

type Headers = Record<string, string>

const countMovements = async (t: TestApp) =>
  Number(
    (
      await t.ctx.db
        .selectFrom('stock_movements')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

const levelRows = (t: TestApp) =>
  t.ctx.db
    .selectFrom('stock_levels')
    .select(['sku', 'location_code', 'on_hand', 'reserved'])
    .orderBy('sku')
    .orderBy('location_code')
    .execute()

describe('stock movements and levels', () => {
  let t: TestApp
  let operator: Headers
  let viewer: Headers
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock('2026-03-01T09:00:00Z') })
    await insertDemoCatalog(t.ctx.db)
    operator = await as(t.ctx, 'operator')
    viewer = await as(t.ctx, 'viewer')
  })
  afterAll(() => t.close())

  const post = (payload: object, headers: Headers = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/stock-movements',
      headers: { ...operator, ...headers },
      payload,
    })
  const get = (url: string, headers: Headers = viewer) => t.app.inject({ url, headers })

  it('moves levels with receipts, adjustments, consumption and transfers', async () => {
    const receipt = await post({
      kind: 'receipt',
      sku: 'GABA-RED',
      location: 'UK-WH',
      quantity: 100,
      lot: 'L-2026-01',
      expiresOn: '2027-01-31',
      reference: 'DN-1001',
    })
    expect(receipt.statusCode).toBe(201)
    expect(receipt.json().movements).toEqual([
      expect.objectContaining({
        kind: 'receipt',
        quantity: 100,
        lot: 'L-2026-01',
        expiresOn: '2027-01-31',
        occurredAt: '2026-03-01T09:00:00.000Z',
        referenceType: 'manual',
        referenceId: 'DN-1001',
        actor: expect.stringMatching(/^apikey:/),
      }),
    ])
    expect(receipt.json().levels).toEqual([
      {
        sku: 'GABA-RED',
        name: 'GABA Red',
        kind: 'finished',
        location: 'UK-WH',
        onHand: 100,
        reserved: 0,
        available: 100,
      },
    ])
    expect(
      (await post({ kind: 'adjustment', sku: 'GABA-RED', location: 'UK-WH', quantity: -5 })).json().levels[0]
        .onHand,
    ).toBe(95)
    expect(
      (await post({ kind: 'adjustment', sku: 'GABA-RED', location: 'UK-WH', quantity: 2 })).json().levels[0]
        .onHand,
    ).toBe(97)
    await post({ kind: 'receipt', sku: 'BOTTLE-500', location: 'FACTORY', quantity: 500 })
    const consumed = (
      await post({ kind: 'consumption', sku: 'BOTTLE-500', location: 'FACTORY', quantity: 120 })
    ).json()
    expect(consumed.movements[0]).toMatchObject({ kind: 'consumption', quantity: -120 })
    expect(consumed.levels[0]).toMatchObject({ onHand: 380, available: 380 })

    const transfer = await post({
      kind: 'transfer',
      sku: 'GABA-RED',
      location: 'UK-WH',
      toLocation: 'EU-3PL',
      quantity: 30,
    })
    expect(transfer.statusCode).toBe(201)
    const [out, into] = transfer.json().movements
    expect(out).toMatchObject({
      kind: 'transfer_out',
      location: 'UK-WH',
      quantity: -30,
      referenceType: 'transfer',
    })
    expect(into).toMatchObject({
      kind: 'transfer_in',
      location: 'EU-3PL',
      quantity: 30,
      referenceType: 'transfer',
    })
    expect(into.referenceId).toBe(out.referenceId)
    expect(transfer.json().levels.map((l: { onHand: number }) => l.onHand)).toEqual([67, 30])

    // a reservation (normally made by an order) lowers what is available
    await t.ctx.db
      .updateTable('stock_levels')
      .set({ reserved: 7 })
      .where('sku', '=', 'GABA-RED')
      .where('location_code', '=', 'UK-WH')
      .execute()
    const red = await get('/api/inventory/levels?sku=GABA-RED')
    expect(red.statusCode).toBe(200)
    expect(red.json().items).toEqual([
      expect.objectContaining({ location: 'EU-3PL', onHand: 30, reserved: 0, available: 30 }),
      expect.objectContaining({ location: 'UK-WH', onHand: 67, reserved: 7, available: 60 }),
    ])
    const components = (await get('/api/inventory/levels?kind=component')).json().items
    expect(components.map((l: { sku: string }) => l.sku)).toEqual(['BOTTLE-500'])
    expect((await get('/api/inventory/levels?location=EU-3PL')).json().items).toHaveLength(1)
  })

  it('pages levels by (sku, location) and movements newest first', async () => {
    const pairs: string[] = []
    let cursor: string | null = null
    do {
      const page = (
        await get(`/api/inventory/levels?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
      ).json() as {
        items: { sku: string; location: string }[]
        nextCursor: string | null
      }
      pairs.push(...page.items.map((l) => `${l.sku}@${l.location}`))
      cursor = page.nextCursor
    } while (cursor)
    expect(pairs).toEqual(['BOTTLE-500@FACTORY', 'GABA-RED@EU-3PL', 'GABA-RED@UK-WH'])
    expect((await get('/api/inventory/levels?cursor=garbage')).statusCode).toBe(400)

    const ids: number[] = []
    let next: string | null = null
    do {
      const page = (
        await get(`/api/stock-movements?sku=GABA-RED&limit=2${next ? `&cursor=${next}` : ''}`)
      ).json() as {
        items: { id: string; sku: string }[]
        nextCursor: string | null
      }
      expect(page.items.every((m) => m.sku === 'GABA-RED')).toBe(true)
      ids.push(...page.items.map((m) => Number(m.id)))
      next = page.nextCursor
    } while (next)
    expect(ids).toHaveLength(5)
    expect([...ids].sort((a, b) => b - a)).toEqual(ids)
    const adjustments = (await get('/api/stock-movements?kind=adjustment&location=UK-WH')).json().items
    expect(adjustments.map((m: { quantity: number }) => m.quantity)).toEqual([2, -5])
    const window = '/api/stock-movements?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z'
    expect((await get(window)).json().items).toHaveLength(7)
    expect((await get('/api/stock-movements?to=2026-03-01T00:00:00Z')).json().items).toHaveLength(0)
  })

  it('writes both legs of a transfer or nothing', async () => {
    const before = { count: await countMovements(t), levels: await levelRows(t) }
    const cases: object[] = [
      { kind: 'transfer', sku: 'GABA-RED', location: 'UK-WH', toLocation: 'EU-3PL', quantity: 1000 },
      { kind: 'transfer', sku: 'GABA-GOLD', location: 'US-3PL', toLocation: 'UK-WH', quantity: 1 },
      { kind: 'consumption', sku: 'BOTTLE-500', location: 'FACTORY', quantity: 381 },
      { kind: 'adjustment', sku: 'GABA-RED', location: 'EU-3PL', quantity: -31 },
    ]
    for (const payload of cases) {
      const res = await post(payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(409)
      expect(res.json().error.code).toBe('INSUFFICIENT_STOCK')
    }
    expect(await countMovements(t)).toBe(before.count)
    expect(await levelRows(t)).toEqual(before.levels)
  })

  it('refuses bad movements with a clear code and writes nothing', async () => {
    const before = { count: await countMovements(t), levels: await levelRows(t) }
    const base = { kind: 'receipt', sku: 'GABA-RED', location: 'UK-WH', quantity: 1 }
    const cases: [object, number, string][] = [
      [{ ...base, quantity: 0 }, 400, 'VALIDATION_FAILED'],
      [{ ...base, quantity: -3 }, 400, 'VALIDATION_FAILED'],
      [{ ...base, quantity: 1.5 }, 400, 'VALIDATION_FAILED'],
      [{ ...base, kind: 'consumption', quantity: -1 }, 400, 'VALIDATION_FAILED'],
      [{ ...base, kind: 'adjustment', quantity: 0 }, 400, 'VALIDATION_FAILED'],
      [{ ...base, kind: 'sale' }, 400, 'VALIDATION_FAILED'],
      [{ ...base, sku: 'NOPE' }, 422, 'UNKNOWN_SKU'],
      [{ ...base, location: 'NOWHERE' }, 422, 'UNKNOWN_LOCATION'],
      [{ ...base, kind: 'transfer', toLocation: 'MARS' }, 422, 'UNKNOWN_LOCATION'],
      [{ ...base, expiresOn: '2026-02-30' }, 400, 'VALIDATION_FAILED'],
      [{ ...base, expiresOn: '2026-13-01' }, 400, 'VALIDATION_FAILED'],
      [{ ...base, expiresOn: '31/01/2027' }, 400, 'VALIDATION_FAILED'],
      [{ ...base, kind: 'transfer' }, 400, 'VALIDATION_FAILED'],
      [{ ...base, kind: 'transfer', toLocation: 'UK-WH' }, 400, 'VALIDATION_FAILED'],
      [{ ...base, toLocation: 'EU-3PL' }, 400, 'VALIDATION_FAILED'],
      [{ ...base, occurredAt: '2026-02-30T10:00:00Z' }, 400, 'VALIDATION_FAILED'],
      [{ ...base, occurredAt: '2099-01-01T00:00:00Z' }, 422, 'INVALID_DATE'],
      [{ ...base, colour: 'red' }, 400, 'VALIDATION_FAILED'],
    ]
    for (const [payload, status, code] of cases) {
      const res = await post(payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(status)
      expect(res.json().error.code, JSON.stringify(payload)).toBe(code)
    }
    expect(await countMovements(t)).toBe(before.count)
    expect(await levelRows(t)).toEqual(before.levels)
  })

  it('lets viewers read and only operators and above record', async () => {
    const body = { kind: 'receipt', sku: 'GABA-RED', location: 'UK-WH', quantity: 1 }
    expect((await post(body, viewer)).statusCode).toBe(403)
    expect((await post(body, { authorization: 'Bearer nope' })).statusCode).toBe(401)
    for (const url of [
      '/api/inventory/levels',
      '/api/stock-movements',
      '/api/inventory/critical',
      '/api/inventory/reorder-suggestions',
    ]) {
      expect((await get(url)).statusCode, url).toBe(200)
      expect((await t.app.inject({ url })).statusCode, url).toBe(401)
    }
    expect((await post(body, await as(t.ctx, 'manager'))).statusCode).toBe(201)
  })

  it('records a movement once per Idempotency-Key', async () => {
    const body = { kind: 'receipt', sku: 'GABA-GOLD', location: 'UK-WH', quantity: 12, reference: 'DN-2002' }
    const key = { 'idempotency-key': 'movement-retry-0001' }
    const count = await countMovements(t)
    const first = await post(body, key)
    const second = await post(body, key)
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(second.json()).toEqual(first.json())
    expect(await countMovements(t)).toBe(count + 1)
    expect((await get('/api/inventory/levels?sku=GABA-GOLD')).json().items[0].onHand).toBe(12)
    const other = await post({ ...body, quantity: 13 }, key)
    expect(other.statusCode).toBe(422)
    expect(other.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED')
  })
})

/** The 56 complete days before 2026-03-01: 2026-01-04 … 2026-02-28. */
const WINDOW = Array.from({ length: 56 }, (_, i) =>
  new Date(Date.UTC(2026, 0, 4 + i)).toISOString().slice(0, 10),
)

describe('critical items and reorder suggestions', () => {
  let t: TestApp
  let viewer: Headers
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock('2026-03-01T09:00:00Z') })
    await insertDemoCatalog(t.ctx.db)
    viewer = await as(t.ctx, 'viewer')
    const sale = (day: string, channel: string, market: string, sku: string, units: number) => ({
      day,
      channel_code: channel,
      market_code: market,
      sku,
      units,
      orders: units,
    })
    const rows = WINDOW.flatMap((day, i) => [
      // GABA-RED from UK-WH through two channels: 8, 12, 8, 12, … (mean 10, sample sd 2.0181)
      sale(day, 'shopify-uk', 'UK', 'GABA-RED', i % 2 === 0 ? 5 : 9),
      sale(day, 'amazon-uk', 'UK', 'GABA-RED', 3),
      // GABA-RED from EU-3PL: 100 a day
      sale(day, 'shopify-eu', 'EU', 'GABA-RED', 100),
      // GABA-GOLD from UK-WH: 70 on every seventh day (mean 10, sample sd 24.7166)
      ...(i % 7 === 6 ? [sale(day, 'shopify-uk', 'UK', 'GABA-GOLD', 70)] : []),
      // GABA-BLACK from UK-WH: 6 + 4 = 10 every day
      sale(day, 'shopify-uk', 'UK', 'GABA-BLACK', 6),
      sale(day, 'wholesale', 'UK', 'GABA-BLACK', 4),
    ])
    // outside the window: today (partial) and the day before it starts
    rows.push(sale('2026-03-01', 'shopify-uk', 'UK', 'GABA-BLACK', 1000))
    rows.push(sale('2026-01-03', 'shopify-uk', 'UK', 'GABA-BLACK', 1000))
    await t.ctx.db.insertInto('sales_daily').values(rows).execute()

    await t.ctx.db.transaction().execute(async (tx) => {
      const move = (
        kind: 'receipt' | 'consumption',
        sku: string,
        location: string,
        quantity: number,
        at: string,
      ) =>
        recordMovement(tx, {
          kind,
          sku,
          locationCode: location,
          quantity,
          occurredAt: new Date(at),
          actor: 'test',
        })
      await move('receipt', 'GABA-RED', 'UK-WH', 60, '2026-01-01T08:00:00Z')
      await move('receipt', 'GABA-GOLD', 'UK-WH', 120, '2026-01-01T08:00:00Z')
      await move('receipt', 'GABA-BLACK', 'UK-WH', 120, '2026-01-01T08:00:00Z')
      // CAP-28 at the factory: 3000 received, 50 consumed on each day of the window
      await move('receipt', 'CAP-28', 'FACTORY', 3000, '2026-01-01T08:00:00Z')
      for (const day of WINDOW) await move('consumption', 'CAP-28', 'FACTORY', -50, `${day}T23:30:00Z`)
    })
    // a backorder: reserved with nothing on hand
    await t.ctx.db
      .insertInto('stock_levels')
      .values({ sku: 'LABEL-SET', location_code: 'FACTORY', on_hand: 0, reserved: 5 })
      .execute()

    // supply on its way for GABA-BLACK at UK-WH: only 'ordered' lines and unfinished batches count
    await t.ctx.db
      .updateTable('products')
      .set({ moq: 250, batch_size: 100 })
      .where('sku', '=', 'GABA-BLACK')
      .execute()
    const po = (
      id: string,
      status: 'ordered' | 'received' | 'cancelled',
      location: string,
      quantity: number,
    ) => ({
      order: {
        id,
        supplier_id: 'sup-glassworks',
        location_code: location,
        status,
        currency: 'GBP',
        ordered_at: '2026-02-20T00:00:00Z',
        expected_at: '2026-03-05T00:00:00Z',
      },
      line: { purchase_order_id: id, sku: 'GABA-BLACK', quantity, unit_cost: 7.1 },
    })
    const orders = [
      po('po-open', 'ordered', 'UK-WH', 50),
      po('po-received', 'received', 'UK-WH', 1000),
      po('po-cancelled', 'cancelled', 'UK-WH', 500),
      po('po-elsewhere', 'ordered', 'EU-3PL', 999),
    ]
    await t.ctx.db
      .insertInto('purchase_orders')
      .values(orders.map((o) => o.order))
      .execute()
    await t.ctx.db
      .insertInto('purchase_order_lines')
      .values(orders.map((o) => o.line))
      .execute()
    const batch = (
      id: string,
      status: 'planned' | 'running' | 'completed' | 'cancelled',
      planned: number,
      good: number,
    ) => ({
      id,
      line_code: 'LINE-1',
      sku: 'GABA-BLACK',
      location_code: 'UK-WH',
      lot: id,
      status,
      planned_quantity: planned,
      good_count: good,
      planned_start: '2026-03-02T06:00:00Z',
      planned_end: '2026-03-02T14:00:00Z',
    })
    await t.ctx.db
      .insertInto('production_batches')
      .values([
        batch('b-planned', 'planned', 40, 0),
        batch('b-running', 'running', 30, 20),
        batch('b-completed', 'completed', 1000, 990),
        batch('b-cancelled', 'cancelled', 500, 0),
      ])
      .execute()
  })
  afterAll(() => t.close())

  const get = (url: string) => t.app.inject({ url, headers: viewer })

  it('lists critical SKU × locations with hand-checkable safety stock and reorder points', async () => {
    const res = await get('/api/inventory/critical')
    expect(res.statusCode).toBe(200)
    expect(res.json().windowDays).toBe(56)
    const items = res.json().items as { sku: string; location: string }[]
    // soonest stock-out first; the backorder without demand has no cover figure and comes last
    expect(items.map((i) => `${i.sku}@${i.location}`)).toEqual([
      'GABA-RED@EU-3PL',
      'CAP-28@FACTORY',
      'GABA-RED@UK-WH',
      'GABA-GOLD@UK-WH',
      'LABEL-SET@FACTORY',
    ])
    const [eu, cap, red, gold, label] = items
    // 100 a day and nothing in stock: out today
    expect(eu).toMatchObject({
      available: 0,
      meanDailyDemand: 100,
      demandSd: 0,
      safetyStock: 0,
      reorderPoint: 700,
      daysOfCover: 0,
      projectedStockoutDate: '2026-03-01',
      reasons: ['stockout_within_lead_time'],
    })
    // 3000 − 56 × 50 = 200 left, 4 days at 50 a day against a 14-day lead time
    expect(cap).toMatchObject({
      kind: 'component',
      demandSource: 'consumption',
      available: 200,
      meanDailyDemand: 50,
      leadTimeDays: 14,
      reorderPoint: 700,
      daysOfCover: 4,
      projectedStockoutDate: '2026-03-05',
      reasons: ['stockout_within_lead_time'],
    })
    // σ = √(56 × 2² / 55) = 2.0181; SS = 1.6449 × 2.0181 × √7 = 8.78; ROP = 10 × 7 + 8.78 = 78.78;
    // 60 available last 6 days, inside the 7-day lead time, but are above safety stock
    expect(red).toMatchObject({
      demandSource: 'sales',
      onHand: 60,
      available: 60,
      meanDailyDemand: 10,
      demandSd: 2.02,
      leadTimeDays: 7,
      serviceLevel: 0.95,
      safetyStock: 8.78,
      reorderPoint: 78.78,
      daysOfCover: 6,
      projectedStockoutDate: '2026-03-07',
      reasons: ['stockout_within_lead_time'],
    })
    // σ = √(8 × (6 × 10² + 60²) / 55) = 24.7166; SS at 98% = 2.0537 × 24.7166 × √10 = 160.52;
    // ROP = 10 × 10 + 160.52; 120 available cover 12 days (beyond the lead time) but are below SS
    expect(gold).toMatchObject({
      available: 120,
      meanDailyDemand: 10,
      demandSd: 24.72,
      leadTimeDays: 10,
      serviceLevel: 0.98,
      safetyStock: 160.52,
      reorderPoint: 260.52,
      daysOfCover: 12,
      projectedStockoutDate: '2026-03-13',
      reasons: ['below_safety_stock'],
    })
    expect(label).toMatchObject({
      onHand: 0,
      reserved: 5,
      available: -5,
      meanDailyDemand: 0,
      daysOfCover: null,
      projectedStockoutDate: null,
      reasons: ['below_safety_stock'],
    })
    // GABA-BLACK at UK-WH: 120 available at a steady 10 a day is 12 days, no buffer needed: not critical
    const ukComponents = await get('/api/inventory/critical?location=UK-WH')
    expect(ukComponents.json().items.map((i: { sku: string }) => i.sku)).toEqual(['GABA-RED', 'GABA-GOLD'])
    const components = await get('/api/inventory/critical?kind=component')
    expect(components.json().items.map((i: { sku: string }) => i.sku)).toEqual(['CAP-28', 'LABEL-SET'])
  })

  it('suggests reorder quantities net of open supply, rounded to MOQ and batch size', async () => {
    const res = await get('/api/inventory/reorder-suggestions?sku=GABA-BLACK')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ horizonDays: 28, windowDays: 56 })
    const [black, ...others] = res.json().items
    expect(others).toEqual([])
    // forecast 10 a day over 7 + 28 days = 350; need = 350 + 0 − 120 − 50 (PO) − (40 + 10) (batches) = 130;
    // raised to the MOQ of 250, then to whole batches of 100: 300
    expect(black).toMatchObject({ sku: 'GABA-BLACK', location: 'UK-WH', quantity: 300 })
    expect(black.inputs).toMatchObject({
      demandSource: 'sales',
      historyDays: 56,
      forecastModel: 'holt-winters',
      leadTimeDays: 7,
      horizonDays: 28,
      forecastDays: 35,
      forecastDemand: 350,
      meanDailyDemand: 10,
      demandSd: 0,
      safetyStock: 0,
      available: 120,
      openPurchase: 50,
      openProduction: 50,
      need: 130,
      moq: 250,
      batchSize: 100,
    })

    // over 7 + 7 days: 140 − 120 − 100 < 0, nothing to order
    expect(
      (await get('/api/inventory/reorder-suggestions?sku=GABA-BLACK&horizonDays=7')).json().items,
    ).toEqual([])
    const zero = (
      await get('/api/inventory/reorder-suggestions?sku=GABA-BLACK&horizonDays=7&includeZero=true')
    ).json()
    expect(zero.items).toHaveLength(1)
    expect(zero.items[0]).toMatchObject({ quantity: 0, inputs: { forecastDemand: 140, need: -80 } })
  })

  it('uses consumption history as the demand of components', async () => {
    const res = await get('/api/inventory/reorder-suggestions?kind=component')
    const items = res.json().items as { sku: string; quantity: number; inputs: Record<string, unknown> }[]
    // LABEL-SET: 5 reserved with no demand: need = 0 + 0 − (−5) = 5 → the MOQ of 5000
    expect(items.map((i) => i.sku)).toEqual(['CAP-28', 'LABEL-SET'])
    const [cap, label] = items
    // 50 a day over 14 + 28 days = 2100; need = 2100 − 200 = 1900 → MOQ 10000 (one batch of 10000)
    expect(cap).toMatchObject({ quantity: 10000 })
    expect(cap!.inputs).toMatchObject({
      demandSource: 'consumption',
      forecastDemand: 2100,
      available: 200,
      need: 1900,
    })
    expect(label).toMatchObject({ quantity: 5000 })
    expect(label!.inputs).toMatchObject({ forecastModel: null, historyDays: 0, forecastDemand: 0, need: 5 })
  })
})
