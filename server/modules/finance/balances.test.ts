import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'

/**
 * A small business worked by hand, seen on 2026-03-31 at noon UTC. Stock at cost: 640 from Feb 1
 * (100 GABA-RED × 6.40), 320 from Mar 5 (50 sold), 740 from Mar 15 (1,000 bottles × 0.42).
 * Receivables: R1 1,000 (Feb 1, due Mar 3, paid Mar 20), R2 400 (Mar 10, due Mar 25, unpaid),
 * R3 200 (Mar 30, due Apr 29). Payables: P1 300 (Feb 15, paid when due Mar 17), P2 €588.24 =
 * £500 (Mar 20, due Apr 19). Sales (revenue / cost): Feb 10 3,000/1,200, Mar 1 1,500/600,
 * Mar 12 2,000/900, Mar 31 1,000/300.
 */
describe('working capital over time, and the receivables and payables behind it', () => {
  let t: TestApp
  let viewer: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock('2026-03-31T12:00:00Z') })
    await insertCatalogAndRates(t.ctx)
    viewer = await as(t.ctx, 'viewer')
    const db = t.ctx.db
    await db
      .insertInto('stock_daily')
      .values([
        { day: '2026-02-01', sku: 'GABA-RED', location_code: 'UK-WH', kind: 'receipt', quantity: 100 },
        { day: '2026-03-05', sku: 'GABA-RED', location_code: 'UK-WH', kind: 'sale', quantity: -50 },
        { day: '2026-03-15', sku: 'BOTTLE-500', location_code: 'FACTORY', kind: 'receipt', quantity: 1000 },
      ])
      .execute()
    const invoice = (id: string, base: number, issued: string, due: string, paid: string | null) => ({
      id,
      reference: `ref-${id}`,
      currency: 'GBP',
      amount: base,
      amount_base: base,
      issued_on: issued,
      due_on: due,
      paid_on: paid,
    })
    await db
      .insertInto('receivables')
      .values([
        {
          ...invoice('R1', 1000, '2026-02-01', '2026-03-03', '2026-03-20'),
          counterparty: 'Wholesale customer',
        },
        { ...invoice('R2', 400, '2026-03-10', '2026-03-25', null), counterparty: 'Amazon UK' },
        { ...invoice('R3', 200, '2026-03-30', '2026-04-29', null), counterparty: 'Shopify UK' },
      ])
      .execute()
    await db
      .insertInto('payables')
      .values([
        { ...invoice('P1', 300, '2026-02-15', '2026-03-17', '2026-03-17'), supplier_id: 'sup-glassworks' },
        {
          ...invoice('P2', 500, '2026-03-20', '2026-04-19', null),
          currency: 'EUR',
          amount: 588.24,
          supplier_id: 'sup-closures',
        },
      ])
      .execute()
    const sale = (day: string, revenue: number, cost: number) => ({
      day,
      channel_code: 'shopify-uk',
      market_code: 'UK',
      sku: 'GABA-RED',
      orders: 1,
      units: 1,
      revenue_base: revenue,
      cost_base: cost,
    })
    await db
      .insertInto('sales_daily')
      .values([
        sale('2026-02-10', 3000, 1200),
        sale('2026-03-01', 1500, 600),
        sale('2026-03-12', 2000, 900),
        sale('2026-03-31', 1000, 300),
      ])
      .execute()
  })
  afterAll(() => t.close())

  const get = async (url: string) => {
    const res = await t.app.inject({ url, headers: viewer })
    expect(res.statusCode, res.body).toBe(200)
    return res.json()
  }

  it('computes each 30-day window from its four sample days, and the last one is the report', async () => {
    const trend = await get('/api/finance/working-capital/trend?days=30&step=10&points=3')
    expect(trend).toMatchObject({ currency: 'GBP', windowDays: 30, stepDays: 10 })
    expect(trend.points.map((p: { to: string }) => p.to)).toEqual([
      '2026-03-11T12:00:00.000Z',
      '2026-03-21T12:00:00.000Z',
      '2026-03-31T12:00:00.000Z',
    ])
    // samples Feb 9, Feb 19, Mar 1, Mar 11: stock 640 640 640 320, receivables 1000 1000 1000 1400,
    // payables 0 300 300 300; sales after Feb 9 up to Mar 11: 4,500 revenue, 1,800 cost
    const [a, b, c] = trend.points
    expect(a).toMatchObject({ averageInventory: 560, averageReceivables: 1100, averagePayables: 225 })
    expect(a).toMatchObject({ revenue: 4500, cogs: 1800 })
    expect(a.dio).toBeCloseTo((560 / 1800) * 30, 10)
    expect(a.dso).toBeCloseTo((1100 / 4500) * 30, 10)
    expect(a.dpo).toBeCloseTo(3.75, 10)
    expect(a.ccc).toBeCloseTo((560 / 1800) * 30 + (1100 / 4500) * 30 - 3.75, 10)
    // Feb 19, Mar 1, Mar 11, Mar 21: R1 is paid on Mar 20, P1 on Mar 17, P2 arrives on Mar 20
    expect(b).toMatchObject({ averageInventory: 585, averageReceivables: 950, averagePayables: 350 })
    expect(b).toMatchObject({ revenue: 3500, cogs: 1500, dpo: 7 })
    expect(b.dio).toBeCloseTo(11.7, 10)
    expect(b.dso).toBeCloseTo((950 / 3500) * 30, 10)
    // Mar 1, Mar 11, Mar 21, Mar 31
    expect(c).toMatchObject({ averageInventory: 610, averageReceivables: 850, averagePayables: 400 })
    expect(c).toMatchObject({ revenue: 3000, cogs: 1200, dio: 15.25, dso: 8.5, dpo: 10, ccc: 13.75 })
    expect(await get('/api/finance/working-capital?days=30')).toEqual(c)
  })

  it('gives a window without sales no value, not 0, and refuses bad parameters', async () => {
    const trend = await get('/api/finance/working-capital/trend?days=7&step=10&points=2')
    expect(trend.points[0]).toMatchObject({ revenue: 0, cogs: 0, dio: null, dso: null, dpo: null, ccc: null })
    // samples Mar 14, 16, 19, 21: the bottles arrive on Mar 15
    expect(trend.points[0].averageInventory).toBe((320 + 740 * 3) / 4)
    expect(trend.points[1]).toMatchObject({ revenue: 1000, cogs: 300 })
    for (const query of ['points=1', 'step=0', 'days=3', 'points=105', 'extra=1']) {
      const res = await t.app.inject({ url: `/api/finance/working-capital/trend?${query}`, headers: viewer })
      expect(res.statusCode, query).toBe(400)
    }
    expect((await t.app.inject({ url: '/api/finance/working-capital/trend' })).statusCode).toBe(401)
  })

  it('lists open receivables by due day with days overdue, and the open and overdue totals', async () => {
    const open = await get('/api/finance/receivables')
    expect(open).toMatchObject({
      currency: 'GBP',
      today: '2026-03-31',
      open: { count: 2, amountBase: 600 },
      overdue: { count: 1, amountBase: 400 },
      nextCursor: null,
    })
    expect(open.items).toEqual([
      {
        id: 'R2',
        counterparty: 'Amazon UK',
        reference: 'ref-R2',
        currency: 'GBP',
        amount: 400,
        amountBase: 400,
        issuedOn: '2026-03-10',
        dueOn: '2026-03-25',
        paidOn: null,
        daysOverdue: 6,
      },
      expect.objectContaining({ id: 'R3', dueOn: '2026-04-29', daysOverdue: null }),
    ])
    const ids = async (query: string) =>
      ((await get(`/api/finance/receivables?${query}`)).items as { id: string }[]).map((i) => i.id)
    expect(await ids('status=overdue')).toEqual(['R2'])
    expect(await ids('status=paid')).toEqual(['R1'])
    expect(await ids('status=all')).toEqual(['R1', 'R2', 'R3'])
  })

  it('pages by cursor, names suppliers on payables, and refuses a forged cursor', async () => {
    const seen: string[] = []
    let cursor: string | null = ''
    while (cursor !== null) {
      const page = await get(
        `/api/finance/receivables?status=all&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      )
      seen.push(...page.items.map((i: { id: string }) => i.id))
      cursor = page.nextCursor
    }
    expect(seen).toEqual(['R1', 'R2', 'R3'])
    const payables = await get('/api/finance/payables')
    expect(payables).toMatchObject({
      open: { count: 1, amountBase: 500 },
      overdue: { count: 0, amountBase: 0 },
    })
    expect(payables.items).toEqual([
      expect.objectContaining({
        id: 'P2',
        counterparty: 'EuroClosures BV',
        currency: 'EUR',
        amount: 588.24,
        amountBase: 500,
        daysOverdue: null,
      }),
    ])
    for (const forged of [
      Buffer.from('["2026-02-31","R1"]').toString('base64url'),
      Buffer.from('["2026-03-01","a\\u0000"]').toString('base64url'),
      'not-a-cursor',
    ]) {
      const res = await t.app.inject({ url: `/api/finance/payables?cursor=${forged}`, headers: viewer })
      expect(res.statusCode, forged).toBe(400)
      expect(res.json().error.code).toBeTruthy()
    }
    expect((await t.app.inject({ url: '/api/finance/receivables' })).statusCode).toBe(401)
  })
})
