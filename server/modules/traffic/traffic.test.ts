import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'

const now = new Date('2026-03-02T12:20:00Z')

describe('storefront sessions', () => {
  let t: TestApp
  let manager: { authorization: string }
  let viewer: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock(now) })
    await insertCatalogAndRates(t.ctx)
    manager = await as(t.ctx, 'manager')
    viewer = await as(t.ctx, 'viewer')
  })
  afterAll(() => t.close())

  const put = (items: unknown[], headers = manager) =>
    t.app.inject({ method: 'PUT', url: '/api/storefront-sessions', headers, payload: { items } })
  const list = async (query: string) => {
    const res = await t.app.inject({ url: `/api/storefront-sessions?${query}`, headers: viewer })
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as {
      items: { channel: string; hour: string; visits: number }[]
      nextCursor: string | null
    }
  }

  it('sets visits per channel and hour, replaces a count sent again, and pages through them', async () => {
    const first = await put([
      { channel: 'shopify-uk', hour: '2026-03-02T10:00:00Z', visits: 40 },
      { channel: 'shopify-uk', hour: '2026-03-02T11:00:00.000Z', visits: 60 },
      { channel: 'shopify-eu', hour: '2026-03-02T12:00:00+00:00', visits: 7 },
    ])
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json()).toEqual({ written: 3, inserted: 3, updated: 0 })
    // 11:00 UTC written as 12:00 at +01:00 is the same hour: replaced, not added
    const again = await put([{ channel: 'shopify-uk', hour: '2026-03-02T12:00:00+01:00', visits: 65 }])
    expect(again.json()).toEqual({ written: 1, inserted: 0, updated: 1 })

    const page1 = await list('limit=2')
    expect(page1.items).toEqual([
      { channel: 'shopify-eu', hour: '2026-03-02T12:00:00.000Z', visits: 7 },
      { channel: 'shopify-uk', hour: '2026-03-02T11:00:00.000Z', visits: 65 },
    ])
    const page2 = await list(`limit=2&cursor=${page1.nextCursor}`)
    expect(page2).toEqual({
      items: [{ channel: 'shopify-uk', hour: '2026-03-02T10:00:00.000Z', visits: 40 }],
      nextCursor: null,
    })
    const filtered = await list('channel=shopify-uk&from=2026-03-02T10:30:00Z&to=2026-03-02T12:00:00Z')
    expect(filtered.items.map((i) => i.visits)).toEqual([65])
    const status = async (url: string) => (await t.app.inject({ url, headers: viewer })).statusCode
    const forged = (values: string[]) => Buffer.from(JSON.stringify(values)).toString('base64url')
    for (const cursor of [
      'bm9wZQ',
      forged(['0000-01-01T00:00:00Z', 'shopify-uk']),
      forged(['2026-03-02T10:00:00Z', 'a\u0000b']),
    ])
      expect(await status(`/api/storefront-sessions?cursor=${cursor}`)).toBe(400)
    expect(await status('/api/storefront-sessions?from=0000-01-01T00:00:00Z')).toBe(400)
  })

  it('refuses a time not on the hour, an unknown channel, negative or duplicate counts, and writes nothing', async () => {
    const refused = async (items: unknown[], status: number, code: string) => {
      const res = await put(items)
      expect(res.statusCode, res.body).toBe(status)
      expect(res.json().error.code).toBe(code)
    }
    const ok = { channel: 'amazon-uk', hour: '2026-03-01T09:00:00Z', visits: 5 }
    await refused([ok, { ...ok, hour: '2026-03-01T09:30:00Z' }], 400, 'VALIDATION_FAILED')
    await refused([ok, { ...ok, hour: '2026-03-01T09:00:01Z' }], 400, 'VALIDATION_FAILED')
    await refused([ok, { ...ok, hour: '2026-03-01T09:00:00+05:30' }], 400, 'VALIDATION_FAILED')
    await refused([ok, { ...ok, channel: 'myspace' }], 422, 'UNKNOWN_CHANNEL')
    await refused([{ ...ok, visits: -1 }], 400, 'VALIDATION_FAILED')
    await refused([{ ...ok, visits: 1.5 }], 400, 'VALIDATION_FAILED')
    await refused([ok, { ...ok, hour: '2026-03-01T09:00:00.000Z' }], 400, 'VALIDATION_FAILED')
    await refused([{ ...ok, hour: '0000-01-01T00:00:00Z' }], 400, 'VALIDATION_FAILED')
    await refused([{ ...ok, hour: '2026-03-02T14:00:00Z' }], 422, 'INVALID_DATE')
    await refused(
      Array.from({ length: 1001 }, () => ok),
      400,
      'VALIDATION_FAILED',
    )
    expect((await list('channel=amazon-uk')).items).toEqual([])
    // the current hour and the next (clock skew) are accepted
    expect((await put([{ ...ok, hour: '2026-03-02T13:00:00Z' }])).statusCode).toBe(200)
  })

  it('needs a manager (or a manager API key) to write and a viewer to read', async () => {
    const item = { channel: 'shopify-uk', hour: '2026-03-01T09:00:00Z', visits: 1 }
    expect((await put([item], await as(t.ctx, 'operator'))).statusCode).toBe(403)
    expect((await put([item], viewer)).statusCode).toBe(403)
    expect(
      (await t.app.inject({ method: 'PUT', url: '/api/storefront-sessions', payload: { items: [item] } }))
        .statusCode,
    ).toBe(401)
    expect((await t.app.inject({ url: '/api/storefront-sessions' })).statusCode).toBe(401)
  })

  it('feed the conversion rate of the KPI overview', async () => {
    const operator = await as(t.ctx, 'operator')
    const order = (channel: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: operator,
        payload: { channel, lines: [{ sku: 'GABA-RED', quantity: 1 }] },
      })
    for (const channel of ['shopify-uk', 'shopify-uk', 'shopify-eu', 'amazon-uk'])
      expect((await order(channel)).statusCode).toBe(201)
    const conversion = async () =>
      (await t.app.inject({ url: '/api/kpis/overview', headers: viewer })).json().conversion24Hours
    // sessions in the last 24 h: 40 + 65 + 7 (shopify) + 5 (amazon-uk, 13:00) = 117; orders on
    // channels with sessions: all 4
    expect(await conversion()).toBeCloseTo(4 / 117, 4)
    await put([{ channel: 'shopify-uk', hour: '2026-03-02T10:00:00Z', visits: 283 }])
    expect(await conversion()).toBeCloseTo(4 / 360, 4)
  })
})
