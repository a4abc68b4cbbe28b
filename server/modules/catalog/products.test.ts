import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import type { UserRole } from '../../platform/http/access.ts'

describe('products and bills of materials over HTTP', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ start: false })
    for (const market of [
      { code: 'UK', name: 'United Kingdom', currency: 'GBP', taxRate: 0.2, shippingDays: 2 },
      { code: 'USA', name: 'United States', currency: 'USD', taxRate: 0, shippingDays: 5 },
    ]) {
      expect((await post('/api/markets', market)).statusCode).toBe(201)
    }
  })
  afterAll(() => t.close())

  const call = async (
    method: InjectOptions['method'],
    url: string,
    payload?: object,
    role: UserRole = 'manager',
  ) => t.app.inject({ method, url, payload, headers: await as(t.ctx, role) })
  const get = (url: string) => call('GET', url, undefined, 'viewer')
  const post = (url: string, payload: object, role?: UserRole) => call('POST', url, payload, role)
  const patch = (url: string, payload: object) => call('PATCH', url, payload)
  const putBom = (sku: string, lines: object[], role?: UserRole) =>
    call('PUT', `/api/products/${sku}/bom`, { lines }, role)

  const gin = {
    sku: 'GIN-70CL',
    name: 'Sentia Gin 70cl',
    kind: 'finished',
    unitCost: 8.1234,
    leadTimeDays: 14,
    prices: [
      { marketCode: 'USA', price: 42 },
      { marketCode: 'UK', price: 34.99 },
    ],
  }
  const component = (sku: string, name: string) => ({
    sku,
    name,
    kind: 'component',
    unitCost: 0.35,
    leadTimeDays: 30,
  })

  describe('products', () => {
    it('creates a product with its prices and the defaults, numbers as numbers', async () => {
      const res = await post('/api/products', gin)
      expect(res.statusCode).toBe(201)
      expect(res.json()).toEqual({
        ...gin,
        unit: 'unit',
        moq: 1,
        batchSize: 1,
        serviceLevel: 0.95,
        active: true,
        prices: [
          { marketCode: 'UK', price: 34.99 },
          { marketCode: 'USA', price: 42 },
        ],
      })
      expect((await get('/api/products/GIN-70CL')).json()).toEqual(res.json())
    })

    it('refuses a duplicate SKU with 409', async () => {
      const res = await post('/api/products', { ...gin, name: 'Other' })
      expect(res.statusCode).toBe(409)
      expect(res.json().error.code).toBe('CONFLICT')
    })

    it('refuses a price in an unknown market with 422 UNKNOWN_MARKET and writes nothing', async () => {
      const res = await post('/api/products', {
        ...gin,
        sku: 'GIN-35CL',
        prices: [{ marketCode: 'MARS', price: 1 }],
      })
      expect(res.statusCode).toBe(422)
      expect(res.json().error).toMatchObject({ code: 'UNKNOWN_MARKET', details: { markets: ['MARS'] } })
      expect((await get('/api/products/GIN-35CL')).statusCode).toBe(404)
      const prices = await t.ctx.db
        .selectFrom('product_prices')
        .selectAll()
        .where('sku', '=', 'GIN-35CL')
        .execute()
      expect(prices).toEqual([])
    })

    it('refuses two prices for one market with 400 DUPLICATE_MARKET', async () => {
      const prices = [
        { marketCode: 'UK', price: 1 },
        { marketCode: 'UK', price: 2 },
      ]
      const res = await post('/api/products', { ...gin, sku: 'GIN-35CL', prices })
      expect(res.statusCode).toBe(400)
      expect(res.json().error.code).toBe('DUPLICATE_MARKET')
    })

    it.each([
      [{ sku: 'gin-lower' }],
      [{ sku: '-LEADING' }],
      [{ unitCost: -1 }],
      [{ unitCost: 1e308 }],
      [{ leadTimeDays: -2 }],
      [{ kind: 'service' }],
      [{ moq: 0 }],
      [{ serviceLevel: 1 }],
      [{ prices: [{ marketCode: 'UK', price: -5 }] }],
      [{ prices: [{ marketCode: 'UK' }] }],
      [{ name: '' }],
      [{ owner: 'me' }],
    ])('refuses %j with 400 VALIDATION_FAILED', async (change) => {
      const res = await post('/api/products', { ...gin, sku: 'GIN-BAD', ...change })
      expect(res.statusCode).toBe(400)
      expect(res.json().error.code).toBe('VALIDATION_FAILED')
    })

    it('updates fields, replaces prices when given, keeps them when not, and deactivates', async () => {
      const renamed = await patch('/api/products/GIN-70CL', { name: 'Sentia London Gin 70cl', moq: 120 })
      expect(renamed.statusCode).toBe(200)
      expect(renamed.json()).toMatchObject({
        name: 'Sentia London Gin 70cl',
        moq: 120,
        prices: [
          { marketCode: 'UK', price: 34.99 },
          { marketCode: 'USA', price: 42 },
        ],
      })

      const repriced = await patch('/api/products/GIN-70CL', { prices: [{ marketCode: 'UK', price: 36.5 }] })
      expect(repriced.json().prices).toEqual([{ marketCode: 'UK', price: 36.5 }])

      const retired = await patch('/api/products/GIN-70CL', { active: false })
      expect(retired.json()).toMatchObject({
        active: false,
        moq: 120,
        prices: [{ marketCode: 'UK', price: 36.5 }],
      })

      const unknown = await patch('/api/products/GIN-70CL', { prices: [{ marketCode: 'EU', price: 1 }] })
      expect(unknown.statusCode).toBe(422)
      expect((await get('/api/products/GIN-70CL')).json().prices).toEqual([{ marketCode: 'UK', price: 36.5 }])
      expect((await patch('/api/products/NOPE', { name: 'x' })).statusCode).toBe(404)
      expect((await patch('/api/products/GIN-70CL', {})).statusCode).toBe(400)
      expect((await patch('/api/products/GIN-70CL', { sku: 'OTHER' })).statusCode).toBe(400)
    })

    it('audits creation and the changed fields, prices included', async () => {
      const entries = await t.ctx.db
        .selectFrom('audit_logs')
        .selectAll()
        .where('target_type', '=', 'product')
        .where('target_id', '=', 'GIN-70CL')
        .orderBy('id')
        .execute()
      expect(entries.map((e) => e.action)).toEqual([
        'catalog_create',
        'catalog_update',
        'catalog_update',
        'catalog_update',
      ])
      expect(entries[0]!.new_values).toMatchObject({ sku: 'GIN-70CL', unitCost: 8.1234 })
      expect(entries[1]!.old_values).toEqual({ name: 'Sentia Gin 70cl', moq: 1 })
      expect(entries[2]!.new_values).toEqual({ prices: [{ marketCode: 'UK', price: 36.5 }] })
      expect(entries[3]!).toMatchObject({ old_values: { active: true }, new_values: { active: false } })
    })
  })

  describe('listing', () => {
    beforeAll(async () => {
      const components: Array<[string, string]> = [
        ['BTL-70CL', 'Bottle 70cl flint'],
        ['CAP-GOLD', 'Cap, gold'],
        ['LBL-GIN', 'Gin label 100%'],
        ['LBL-VODKA', 'Vodka label'],
        ['SUGAR_1KG', 'Sugar'],
      ]
      for (const [sku, name] of components) {
        expect((await post('/api/products', component(sku, name))).statusCode).toBe(201)
      }
    })

    const skus = async (query: string) =>
      ((await get(`/api/products${query}`)).json().items as Array<{ sku: string }>).map((p) => p.sku)

    it('filters by kind, active and a name or SKU search', async () => {
      expect(await skus('?kind=finished')).toEqual(['GIN-70CL'])
      expect(await skus('?active=false')).toEqual(['GIN-70CL'])
      expect(await skus('?active=true&kind=component')).toEqual([
        'BTL-70CL',
        'CAP-GOLD',
        'LBL-GIN',
        'LBL-VODKA',
        'SUGAR_1KG',
      ])
      expect(await skus('?q=gin')).toEqual(['GIN-70CL', 'LBL-GIN'])
      expect(await skus('?q=LBL-')).toEqual(['LBL-GIN', 'LBL-VODKA'])
      // % and _ are searched for, not wildcards
      expect(await skus('?q=100%25')).toEqual(['LBL-GIN'])
      expect(await skus('?q=_')).toEqual(['SUGAR_1KG'])
    })

    it('pages by SKU with a cursor until nextCursor is null', async () => {
      const seen: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const res = await get(`/api/products?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        expect(res.statusCode).toBe(200)
        const page = res.json()
        expect(page.items.length).toBeLessThanOrEqual(2)
        seen.push(...page.items.map((p: { sku: string }) => p.sku))
        cursor = page.nextCursor
        pages++
      } while (cursor)
      expect(seen).toEqual(['BTL-70CL', 'CAP-GOLD', 'GIN-70CL', 'LBL-GIN', 'LBL-VODKA', 'SUGAR_1KG'])
      expect(pages).toBe(3)
      const all = (await get('/api/products?limit=6')).json()
      expect(all.items).toHaveLength(6)
      expect(all.nextCursor).toBeNull()
      expect(all.items.find((p: { sku: string }) => p.sku === 'GIN-70CL').prices).toHaveLength(1)
    })

    it.each(['?limit=0', '?limit=501', '?cursor=not%20a%20sku', '?kind=other', '?sort=name'])(
      'refuses %s with 400',
      async (query) => {
        expect((await get(`/api/products${query}`)).statusCode).toBe(400)
      },
    )
  })

  describe('bills of materials', () => {
    const lines = [
      { componentSku: 'CAP-GOLD', quantity: 1 },
      { componentSku: 'BTL-70CL', quantity: 1 },
      { componentSku: 'SUGAR_1KG', quantity: 0.0125 },
    ]

    const bomNow = async () => (await get('/api/products/GIN-70CL/bom')).json()

    it('starts empty, is replaced as a whole, and lists components with their names', async () => {
      expect(await bomNow()).toEqual({ sku: 'GIN-70CL', lines: [] })
      const res = await putBom('GIN-70CL', lines)
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({
        sku: 'GIN-70CL',
        lines: [
          { componentSku: 'BTL-70CL', name: 'Bottle 70cl flint', unit: 'unit', quantity: 1 },
          { componentSku: 'CAP-GOLD', name: 'Cap, gold', unit: 'unit', quantity: 1 },
          { componentSku: 'SUGAR_1KG', name: 'Sugar', unit: 'unit', quantity: 0.0125 },
        ],
      })
      expect(await bomNow()).toEqual(res.json())

      const replaced = await putBom('GIN-70CL', [
        { componentSku: 'BTL-70CL', quantity: 1 },
        { componentSku: 'LBL-GIN', quantity: 2 },
      ])
      expect(replaced.json().lines.map((l: { componentSku: string }) => l.componentSku)).toEqual([
        'BTL-70CL',
        'LBL-GIN',
      ])
    })

    it.each([
      ['the product itself', [{ componentSku: 'GIN-70CL', quantity: 1 }], 422, 'BOM_SELF_REFERENCE'],
      ['an unknown product', [{ componentSku: 'NOPE-1', quantity: 1 }], 422, 'UNKNOWN_COMPONENT'],
      [
        'a component twice',
        [...lines, { componentSku: 'CAP-GOLD', quantity: 2 }],
        400,
        'DUPLICATE_COMPONENT',
      ],
      ['a zero quantity', [{ componentSku: 'CAP-GOLD', quantity: 0 }], 400, 'VALIDATION_FAILED'],
      ['a negative quantity', [{ componentSku: 'CAP-GOLD', quantity: -1 }], 400, 'VALIDATION_FAILED'],
      ['a lower-case SKU', [{ componentSku: 'cap-gold', quantity: 1 }], 400, 'VALIDATION_FAILED'],
    ])('refuses %s (%j) with %i %s and keeps the old bill', async (_label, bad, status, code) => {
      const before = await bomNow()
      const res = await putBom('GIN-70CL', bad)
      expect(res.statusCode).toBe(status)
      expect(res.json().error.code).toBe(code)
      expect(await bomNow()).toEqual(before)
    })

    it('refuses a finished product as a component, and a bill for a component', async () => {
      await post('/api/products', { ...gin, sku: 'VODKA-70CL', name: 'Vodka', prices: [] })
      const finished = await putBom('VODKA-70CL', [{ componentSku: 'GIN-70CL', quantity: 1 }])
      expect(finished.statusCode).toBe(422)
      expect(finished.json().error).toMatchObject({
        code: 'NOT_A_COMPONENT',
        details: { skus: ['GIN-70CL'] },
      })
      const onComponent = await putBom('BTL-70CL', [{ componentSku: 'CAP-GOLD', quantity: 1 }])
      expect(onComponent.statusCode).toBe(422)
      expect(onComponent.json().error.code).toBe('NOT_A_FINISHED_PRODUCT')
      expect((await putBom('NOPE', [])).statusCode).toBe(404)
      expect((await get('/api/products/NOPE/bom')).statusCode).toBe(404)
    })

    it('keeps the kind of products a bill depends on (409 PRODUCT_KIND_IN_USE)', async () => {
      const component = await patch('/api/products/LBL-GIN', { kind: 'finished' })
      expect(component.statusCode).toBe(409)
      expect(component.json().error.code).toBe('PRODUCT_KIND_IN_USE')
      const finished = await patch('/api/products/GIN-70CL', { kind: 'component' })
      expect(finished.statusCode).toBe(409)
      expect((await patch('/api/products/LBL-VODKA', { kind: 'finished' })).statusCode).toBe(200)
    })

    it('lets a viewer read but not replace it, and an empty list clears it', async () => {
      const viewer = await putBom('GIN-70CL', [], 'viewer')
      expect(viewer.statusCode).toBe(403)
      expect((await bomNow()).lines).toHaveLength(2)
      expect((await putBom('GIN-70CL', [])).json()).toEqual({ sku: 'GIN-70CL', lines: [] })
    })

    it('audits each replacement with the lines before and after', async () => {
      const entries = await t.ctx.db
        .selectFrom('audit_logs')
        .selectAll()
        .where('target_type', '=', 'bom')
        .where('target_id', '=', 'GIN-70CL')
        .orderBy('id')
        .execute()
      expect(entries.map((e) => e.action)).toEqual(['catalog_update', 'catalog_update', 'catalog_update'])
      expect(entries[0]!.old_values).toEqual({ lines: [] })
      expect(entries[1]!.new_values).toEqual({
        lines: [
          { componentSku: 'BTL-70CL', quantity: 1 },
          { componentSku: 'LBL-GIN', quantity: 2 },
        ],
      })
      expect(entries[2]!.new_values).toEqual({ lines: [] })
    })
  })

  describe('limits', () => {
    it('stores the extremes the schema allows without a database error', async () => {
      const extreme = {
        sku: 'X.9_Z-1',
        name: 'Emoji 🍸, right-to-left \u202e, combining e\u0301',
        kind: 'component',
        unit: 'ml',
        unitCost: 1_000_000,
        leadTimeDays: 365,
        moq: 1_000_000,
        batchSize: 1_000_000,
        serviceLevel: 0.99989,
        prices: [{ marketCode: 'UK', price: 999_999.999 }],
      }
      // A lone surrogate is valid JSON but not Unicode: refused whole, nothing stored.
      const lone = await post('/api/products', { ...extreme, name: 'Lone \ud800 surrogate' })
      expect(lone.statusCode).toBe(400)
      expect(lone.json().error.code).toBe('INVALID_CHARACTER')
      const res = await post('/api/products', extreme)
      expect(res.statusCode).toBe(201)
      expect(res.json()).toMatchObject({
        unitCost: 1_000_000,
        serviceLevel: 0.9999,
        prices: [{ marketCode: 'UK', price: 1_000_000 }],
      })
      expect((await patch('/api/products/X.9_Z-1', { active: false })).statusCode).toBe(200)
    })

    it('stores the extreme quantities of a bill and rates of a market, channel and line', async () => {
      const bom = await putBom('VODKA-70CL', [
        { componentSku: 'X.9_Z-1', quantity: 0.0001 },
        { componentSku: 'CAP-GOLD', quantity: 1_000_000 },
      ])
      expect(bom.statusCode).toBe(200)
      expect(bom.json().lines.map((l: { quantity: number }) => l.quantity)).toEqual([1_000_000, 0.0001])
      const market = { code: 'ZZZZZ', name: 'Edge', currency: 'XXX', taxRate: 0.99989, shippingDays: 365 }
      expect((await post('/api/markets', market)).json().taxRate).toBe(0.9999)
      expect(
        (await post('/api/locations', { code: 'L-1', name: 'Edge', kind: 'fulfilment' })).statusCode,
      ).toBe(201)
      const channel = { code: 'edge', name: 'Edge', kind: 'other', marketCode: 'ZZZZZ', locationCode: 'L-1' }
      const created = await post('/api/channels', { ...channel, feePct: 0.99989, payoutDays: 365 })
      expect(created.json().feePct).toBe(0.9999)
      const line = { code: 'L-MAX', name: 'Edge', idealRatePerHour: 1_000_000 }
      expect((await post('/api/production-lines', line)).statusCode).toBe(201)
      expect((await patch('/api/production-lines/L-MAX', { idealRatePerHour: 0.01 })).statusCode).toBe(200)
    })
  })
})
