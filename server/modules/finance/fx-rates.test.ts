import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'

describe('FX rates', () => {
  let t: TestApp
  let manager: { authorization: string }
  let viewer: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock('2026-03-02T12:00:00Z') })
    await insertCatalogAndRates(t.ctx)
    manager = await as(t.ctx, 'manager')
    viewer = await as(t.ctx, 'viewer')
  })
  afterAll(() => t.close())

  const put = (items: unknown[], headers = manager) =>
    t.app.inject({ method: 'PUT', url: '/api/fx-rates', headers, payload: { items } })
  const list = async (query: string) => {
    const res = await t.app.inject({ url: `/api/fx-rates?${query}`, headers: viewer })
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as {
      base: string
      items: { currency: string; day: string; rate: number }[]
      nextCursor: string | null
    }
  }

  it('sets rates per currency and day, replaces one sent again, and pages through them', async () => {
    const res = await put([
      { currency: 'EUR', day: '2026-03-01', rate: 0.86 },
      { currency: 'USD', day: '2026-03-01', rate: 0.79 },
      { currency: 'CHF', day: '2026-02-27', rate: 0.9 },
    ])
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ written: 3, inserted: 3, updated: 0 })
    expect((await put([{ currency: 'EUR', day: '2026-03-01', rate: 0.8612345678 }])).json()).toEqual({
      written: 1,
      inserted: 0,
      updated: 1,
    })
    const page1 = await list('limit=2')
    expect(page1.base).toBe('GBP')
    expect(page1.items).toEqual([
      { currency: 'USD', day: '2026-03-01', rate: 0.79 },
      { currency: 'EUR', day: '2026-03-01', rate: 0.86123457 },
    ])
    const page2 = await list(`limit=2&cursor=${page1.nextCursor}`)
    expect(page2.items.map((r) => `${r.currency} ${r.day}`)).toEqual(['CHF 2026-02-27', 'USD 2026-01-01'])
    const page3 = await list(`limit=2&cursor=${page2.nextCursor}`)
    expect(page3).toMatchObject({
      items: [{ currency: 'EUR', day: '2026-01-01', rate: 0.85 }],
      nextCursor: null,
    })
    const eur = await list('currency=EUR&from=2026-01-02&to=2026-03-01')
    expect(eur.items.map((r) => r.day)).toEqual(['2026-03-01'])
  })

  it('refuses impossible days, rates of zero or less, the base currency and duplicates, writing nothing', async () => {
    const refused = async (items: unknown[], status: number, code: string) => {
      const res = await put(items)
      expect(res.statusCode, res.body).toBe(status)
      expect(res.json().error.code).toBe(code)
    }
    const ok = { currency: 'JPY', day: '2026-02-20', rate: 0.0052 }
    await refused([ok, { ...ok, day: '2026-02-30' }], 400, 'VALIDATION_FAILED')
    await refused([ok, { ...ok, day: '2026-13-01' }], 400, 'VALIDATION_FAILED')
    await refused([ok, { ...ok, day: '0000-01-01' }], 400, 'VALIDATION_FAILED')
    await refused([ok, { ...ok, day: '2026-02-20T00:00:00Z' }], 400, 'VALIDATION_FAILED')
    await refused([{ ...ok, rate: 0 }], 400, 'VALIDATION_FAILED')
    await refused([{ ...ok, rate: -0.5 }], 400, 'VALIDATION_FAILED')
    await refused([{ ...ok, currency: 'jpy' }], 400, 'VALIDATION_FAILED')
    await refused([ok, { ...ok, day: '2026-02-21' }, { ...ok, rate: 0.006 }], 400, 'VALIDATION_FAILED')
    await refused([ok, { ...ok, currency: 'GBP', rate: 1 }], 422, 'BASE_CURRENCY')
    await refused([{ ...ok, day: '2026-03-04' }], 422, 'INVALID_DATE')
    expect((await list('currency=JPY')).items).toEqual([])
    const status = async (url: string) => (await t.app.inject({ url, headers: viewer })).statusCode
    expect(await status('/api/fx-rates?from=2026-02-30')).toBe(400)
    expect(await status('/api/fx-rates?from=0000-01-01')).toBe(400)
    const forged = (values: string[]) => Buffer.from(JSON.stringify(values)).toString('base64url')
    for (const cursor of [
      ['2026-02-30', 'EUR'],
      ['0000-01-01', 'EUR'],
      ['2026-03-01', 'E\u0000R'],
      ['x', 'EUR'],
    ])
      expect(await status(`/api/fx-rates?cursor=${forged(cursor)}`)).toBe(400)
    expect((await put([ok], viewer)).statusCode).toBe(403)
    expect((await put([ok], await as(t.ctx, 'operator'))).statusCode).toBe(403)
  })

  it('lets an order in a currency without a rate be booked once its rate is written', async () => {
    const operator = await as(t.ctx, 'operator')
    const order = {
      channel: 'shopify-eu',
      currency: 'SEK',
      placedAt: '2026-03-02T09:00:00Z',
      lines: [{ sku: 'GABA-RED', quantity: 2, unitPrice: 400 }],
      tax: 0,
    }
    const post = () => t.app.inject({ method: 'POST', url: '/api/orders', headers: operator, payload: order })
    const before = await post()
    expect(before.statusCode).toBe(422)
    expect(before.json().error.code).toBe('NO_FX_RATE')
    // a rate for a later day does not value an earlier order
    expect((await put([{ currency: 'SEK', day: '2026-03-03', rate: 0.07 }])).statusCode).toBe(200)
    expect((await post()).json().error.code).toBe('NO_FX_RATE')

    expect((await put([{ currency: 'SEK', day: '2026-03-01', rate: 0.075 }])).statusCode).toBe(200)
    const after = await post()
    expect(after.statusCode, after.body).toBe(201)
    // 800 SEK at £0.075 per krona
    expect(after.json()).toMatchObject({ currency: 'SEK', total: 800, fxRate: 0.075, totalBase: 60 })
  })
})
