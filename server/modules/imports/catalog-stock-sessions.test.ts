import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'

/** Products, stock movements and storefront sessions through the upload endpoint. */

describe('products, stock and sessions imports', () => {
  let t: TestApp
  let manager: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock('2026-03-10T12:00:00Z') })
    await insertCatalogAndRates(t.ctx)
    manager = await as(t.ctx, 'manager')
  })
  afterAll(() => t.close())

  const upload = (type: string, body: string, query = '') =>
    t.app.inject({
      method: 'POST',
      url: `/api/imports/${type}${query}`,
      headers: { 'content-type': 'text/csv; charset=utf-8', ...manager },
      payload: body,
    })

  describe('products', () => {
    const file = [
      'sku,name,kind,unit_cost,lead_time_days,moq,active,price_uk,price_usa',
      'GABA-BLUE,GABA Blue,finished,7.25,9,60,yes,31.50,',
      'GABA-RED,GABA Red,finished,6.4,7,120,true,30.99,', // UK price changes
      'GABA-BLACK,GABA Black,finished,7.1,7,,,32.99,42.99', // as it is
    ].join('\r\n')

    it('creates new SKUs, updates changed ones and skips unchanged ones', async () => {
      const res = await upload('products', file)
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({ record: 'product', created: 1, updated: 1, skipped: 1, failed: 0 })
      const blue = await t.app.inject({ method: 'GET', url: '/api/products/GABA-BLUE', headers: manager })
      expect(blue.json()).toEqual({
        sku: 'GABA-BLUE',
        name: 'GABA Blue',
        kind: 'finished',
        unit: 'unit',
        unitCost: 7.25,
        leadTimeDays: 9,
        moq: 60,
        batchSize: 1,
        serviceLevel: 0.95,
        active: true,
        prices: [{ marketCode: 'UK', price: 31.5 }],
      })
      const red = await t.app.inject({ method: 'GET', url: '/api/products/GABA-RED', headers: manager })
      // an empty price cell leaves that market's price alone
      expect(red.json().prices).toEqual([
        { marketCode: 'EU', price: 34.99 },
        { marketCode: 'UK', price: 30.99 },
        { marketCode: 'USA', price: 39.99 },
      ])
    })

    it('changes nothing when the same file comes again', async () => {
      const res = await upload('products', file)
      expect(res.json()).toMatchObject({ created: 0, updated: 0, skipped: 3 })
    })

    it('previews without writing, and refuses bad rows and columns', async () => {
      const dry = await upload(
        'products',
        'sku,name,kind,unit_cost,lead_time_days\nGABA-PINK,GABA Pink,finished,7,7\n',
        '?dryRun=true',
      )
      expect(dry.json()).toMatchObject({ dryRun: true, created: 1 })
      expect(
        (await upload('products', 'sku,name,kind,unit_cost,lead_time_days,price_jp\n')).json().error,
      ).toMatchObject({
        code: 'CSV_COLUMNS',
        details: {
          report: { errors: [{ row: 1, column: 'price_jp', message: 'Column price_jp: no market JP' }] },
        },
      })
      const bad = await upload(
        'products',
        [
          'sku,name,kind,unit_cost,lead_time_days,service_level',
          'gaba-lower,Lower,finished,1,1,',
          'BOTTLE-500,Glass bottle 500 ml,finished,0.42,21,', // a component used in bills of materials
          'GABA-X,X,liquid,1.12345,400,0.2',
        ].join('\n'),
      )
      expect(bad.json().errors).toEqual([
        { row: 2, column: 'sku', message: 'sku: "gaba-lower" is not a valid SKU (capitals, digits, . _ -)' },
        { row: 4, column: 'kind', message: 'kind: "liquid" is not finished or component' },
        { row: 4, column: 'unit_cost', message: 'unit_cost: 1.12345 has more than 4 decimal places' },
        { row: 4, column: 'lead_time_days', message: 'lead_time_days: 400 is outside 0–365' },
        { row: 4, column: 'service_level', message: 'service_level: 0.2 is outside 0.5–0.9999' },
      ])
      const kind = await upload(
        'products',
        'sku,name,kind,unit_cost,lead_time_days\nBOTTLE-500,Glass bottle 500 ml,finished,0.42,21\n',
      )
      expect(kind.json().errors).toEqual([
        {
          row: 2,
          column: 'kind',
          message: 'Product BOTTLE-500 must stay component: a bill of materials uses it',
        },
      ])
      const pink = await t.ctx.db
        .selectFrom('products')
        .select('sku')
        .where('sku', '=', 'GABA-PINK')
        .execute()
      expect(pink).toEqual([])
    })
  })

  describe('stock', () => {
    const level = async (sku: string, location: string) =>
      (
        await t.ctx.db
          .selectFrom('stock_levels')
          .select('on_hand')
          .where('sku', '=', sku)
          .where('location_code', '=', location)
          .executeTakeFirst()
      )?.on_hand ?? 0

    const file = [
      'reference,sku,location,type,quantity,to_location,lot,expiry,occurred_at,note',
      'GRN-1,GABA-RED,UK-WH,receipt,120,,L-001,2027-01-31,2026-03-01T08:00:00Z,goods in',
      'GRN-2,BOTTLE-500,FACTORY,receipt,5000,,,,2026-03-01T08:00:00Z,',
      'TRF-1,GABA-RED,UK-WH,transfer,20,EU-3PL,,,2026-03-02T08:00:00Z,',
      'ADJ-1,GABA-RED,UK-WH,adjustment,-3,,,,2026-03-03T08:00:00Z,breakage',
      'USE-1,BOTTLE-500,FACTORY,consumption,1200,,,,2026-03-04T08:00:00Z,',
    ].join('\n')

    it('records the movements through the ledger, so the levels follow', async () => {
      const res = await upload('stock', file)
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({ record: 'movement', created: 5, skipped: 0 })
      expect(await level('GABA-RED', 'UK-WH')).toBe(97)
      expect(await level('GABA-RED', 'EU-3PL')).toBe(20)
      expect(await level('BOTTLE-500', 'FACTORY')).toBe(3800)
      const grn = await t.ctx.db
        .selectFrom('stock_movements')
        .selectAll()
        .where('reference_id', '=', 'GRN-1')
        .executeTakeFirstOrThrow()
      expect(grn).toMatchObject({
        kind: 'receipt',
        reference_type: 'csv',
        lot: 'L-001',
        expires_on: '2027-01-31',
        note: 'goods in',
      })
      const transfer = await t.ctx.db
        .selectFrom('stock_movements')
        .select(['kind', 'location_code', 'quantity'])
        .where('reference_id', '=', 'TRF-1')
        .orderBy('id')
        .execute()
      expect(transfer).toEqual([
        { kind: 'transfer_out', location_code: 'UK-WH', quantity: -20 },
        { kind: 'transfer_in', location_code: 'EU-3PL', quantity: 20 },
      ])
    })

    it('skips rows whose reference is in the ledger already', async () => {
      const res = await upload('stock', file)
      expect(res.json()).toMatchObject({ created: 0, skipped: 5 })
      expect(await level('GABA-RED', 'UK-WH')).toBe(97)
    })

    it('refuses a batch that would take stock below zero, and bad rows', async () => {
      const res = await upload(
        'stock',
        [
          'reference,sku,location,type,quantity,to_location',
          'OUT-1,GABA-GOLD,UK-WH,consumption,5,',
          'OUT-2,NOPE,UK-WH,receipt,0,',
          'OUT-3,GABA-RED,MOON,transfer,1,',
          'OUT-1,GABA-RED,UK-WH,receipt,1,',
        ].join('\n'),
        '?batchSize=1',
      )
      expect(res.json().errors).toEqual([
        { row: 2, column: 'quantity', message: 'Only 0 of GABA-GOLD on hand at UK-WH; cannot take 5' },
        { row: 3, column: 'sku', message: 'sku: no product NOPE' },
        { row: 3, column: 'quantity', message: 'A receipt quantity must be a positive whole number (got 0)' },
        { row: 4, column: 'location', message: 'location: no location MOON' },
        { row: 4, column: 'to_location', message: 'A transfer needs to_location' },
        { row: 5, column: 'reference', message: 'reference OUT-1 is already in row 2 of this file' },
      ])
      expect(res.json().batches).toMatchObject({ committed: 0, rolledBack: 4 })
    })
  })

  describe('sessions', () => {
    it('upserts visits per channel and hour', async () => {
      const file = [
        'channel,hour,visits',
        'shopify-uk,2026-03-02T10:00:00Z,120',
        'shopify-uk,2026-03-02T12:00:00+01:00,95', // 11:00 UTC
        'shopify-eu,2026-03-02T10:00:00Z,40',
      ].join('\n')
      expect((await upload('sessions', file)).json()).toMatchObject({ created: 3, updated: 0, skipped: 0 })
      const again = file.replace(',40', ',44')
      expect((await upload('sessions', again)).json()).toMatchObject({ created: 0, updated: 1, skipped: 2 })
      const rows = await t.ctx.db
        .selectFrom('storefront_sessions')
        .select(['channel_code', 'hour', 'visits'])
        .orderBy('channel_code')
        .orderBy('hour')
        .execute()
      expect(rows.map((r) => [r.channel_code, new Date(r.hour).toISOString(), r.visits])).toEqual([
        ['shopify-eu', '2026-03-02T10:00:00.000Z', 44],
        ['shopify-uk', '2026-03-02T10:00:00.000Z', 120],
        ['shopify-uk', '2026-03-02T11:00:00.000Z', 95],
      ])
    })

    it('refuses times that are not on the hour, negative visits and repeated hours', async () => {
      const res = await upload(
        'sessions',
        [
          'channel,hour,visits',
          'shopify-uk,2026-03-03T10:30:00Z,5',
          'shopify-uk,2026-03-03T11:00:00Z,-1',
          'shopify-uk,2026-03-03T12:00:00Z,7',
          'shopify-uk,2026-03-03T13:00:00+01:00,7',
        ].join('\n'),
      )
      expect(res.json().errors).toEqual([
        {
          row: 2,
          column: 'hour',
          message: 'hour 2026-03-03T10:30:00Z is not the start of an hour (e.g. 2026-03-02T10:00:00Z)',
        },
        { row: 3, column: 'visits', message: 'visits: -1 is outside 0–100000000' },
        {
          row: 5,
          column: 'hour',
          message: 'hour shopify-uk at 2026-03-03T12:00:00.000Z is already in row 4 of this file',
        },
      ])
    })
  })
})
