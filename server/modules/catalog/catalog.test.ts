import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import type { UserRole } from '../../platform/http/access.ts'

describe('catalog reference data over HTTP', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ start: false })
  })
  afterAll(() => t.close())

  const call = async (
    method: InjectOptions['method'],
    url: string,
    payload?: object,
    role: UserRole = 'manager',
  ) => t.app.inject({ method, url, payload, headers: await as(t.ctx, role) })
  const get = (url: string, role: UserRole = 'viewer') => call('GET', url, undefined, role)
  const post = (url: string, payload: object, role?: UserRole) => call('POST', url, payload, role)
  const patch = (url: string, payload: object, role?: UserRole) => call('PATCH', url, payload, role)

  const auditOf = (targetType: string, targetId: string) =>
    t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('target_type', '=', targetType)
      .where('target_id', '=', targetId)
      .orderBy('id')
      .execute()

  const uk = { code: 'UK', name: 'United Kingdom', currency: 'GBP', taxRate: 0.2, shippingDays: 2 }
  const warehouse = { code: 'WH-UK', name: 'Manchester warehouse', kind: 'warehouse' }

  describe('markets', () => {
    it('creates, lists, gets and updates a market with numbers as numbers', async () => {
      const created = await post('/api/markets', uk)
      expect(created.statusCode).toBe(201)
      expect(created.json()).toEqual(uk)

      const list = await get('/api/markets')
      expect(list.statusCode).toBe(200)
      expect(list.json().items).toContainEqual(uk)
      expect((await get('/api/markets/UK')).json()).toEqual(uk)

      const updated = await patch('/api/markets/UK', { taxRate: 0.175, name: 'UK' })
      expect(updated.statusCode).toBe(200)
      expect(updated.json()).toEqual({ ...uk, taxRate: 0.175, name: 'UK' })
      await patch('/api/markets/UK', { taxRate: 0.2, name: uk.name })
    })

    it('audits the creation and only the changed fields of an update', async () => {
      const entries = await auditOf('market', 'UK')
      expect(entries.map((e) => e.action)).toEqual(['catalog_create', 'catalog_update', 'catalog_update'])
      expect(entries[0]!.new_values).toEqual(uk)
      expect(entries[0]!.actor_type).toBe('apikey')
      expect(entries[0]!.request_id).toBeTruthy()
      expect(entries[1]!.old_values).toEqual({ name: 'United Kingdom', taxRate: 0.2 })
      expect(entries[1]!.new_values).toEqual({ name: 'UK', taxRate: 0.175 })
    })

    it('refuses a duplicate code with 409 CONFLICT', async () => {
      const res = await post('/api/markets', { ...uk, name: 'Again' })
      expect(res.statusCode).toBe(409)
      expect(res.json().error.code).toBe('CONFLICT')
      expect((await get('/api/markets/UK')).json().name).toBe(uk.name)
    })

    it.each([
      [{ ...uk, code: 'uk' }],
      [{ ...uk, code: 'TOOLONG' }],
      [{ ...uk, currency: 'pounds' }],
      [{ ...uk, taxRate: 1 }],
      [{ ...uk, taxRate: -0.1 }],
      [{ ...uk, shippingDays: -1 }],
      [{ ...uk, shippingDays: 1.5 }],
      [{ ...uk, name: ' ' }],
      [{ ...uk, extra: true }],
      [{ code: 'FR', name: 'France' }],
    ])('refuses %j with 400 VALIDATION_FAILED', async (payload) => {
      const res = await post('/api/markets', payload)
      expect(res.statusCode).toBe(400)
      expect(res.json().error.code).toBe('VALIDATION_FAILED')
    })

    it('answers 404 for an unknown market and 400 for an empty change', async () => {
      expect((await get('/api/markets/ZZ')).statusCode).toBe(404)
      expect((await patch('/api/markets/ZZ', { name: 'x' })).json().error.code).toBe('NOT_FOUND')
      expect((await patch('/api/markets/UK', {})).statusCode).toBe(400)
      expect((await patch('/api/markets/UK', { code: 'EU' })).statusCode).toBe(400)
    })
  })

  describe('locations', () => {
    it('creates, filters by kind, gets and updates', async () => {
      expect((await post('/api/locations', warehouse)).statusCode).toBe(201)
      const factory = { code: 'FAC-1', name: 'Distillery', kind: 'factory' }
      expect((await post('/api/locations', factory)).json()).toEqual(factory)
      const factories = (await get('/api/locations?kind=factory')).json().items
      expect(factories).toEqual([factory])
      expect((await get('/api/locations/WH-UK')).json()).toEqual(warehouse)
      const updated = await patch('/api/locations/FAC-1', { kind: 'warehouse' })
      expect(updated.json()).toEqual({ ...factory, kind: 'warehouse' })
      expect((await get('/api/locations?kind=depot')).statusCode).toBe(400)
      expect((await post('/api/locations', { ...warehouse, code: 'wh' })).statusCode).toBe(400)
      expect((await post('/api/locations', warehouse)).statusCode).toBe(409)
    })
  })

  describe('channels', () => {
    const shopify = {
      code: 'shopify-uk',
      name: 'Shopify UK',
      kind: 'shopify',
      marketCode: 'UK',
      locationCode: 'WH-UK',
      feePct: 0.029,
      payoutDays: 3,
    }

    it('refuses unknown markets and locations with 422 and a code naming them', async () => {
      const market = await post('/api/channels', { ...shopify, marketCode: 'NOPE' })
      expect(market.statusCode).toBe(422)
      expect(market.json().error).toMatchObject({ code: 'UNKNOWN_MARKET', details: { markets: ['NOPE'] } })
      const location = await post('/api/channels', { ...shopify, locationCode: 'NOWHERE' })
      expect(location.statusCode).toBe(422)
      expect(location.json().error.code).toBe('UNKNOWN_LOCATION')
      expect((await get('/api/channels/shopify-uk')).statusCode).toBe(404)
    })

    it('creates, filters, gets and updates', async () => {
      expect((await post('/api/channels', shopify)).json()).toEqual(shopify)
      await post('/api/markets', {
        code: 'EU',
        name: 'Europe',
        currency: 'EUR',
        taxRate: 0.21,
        shippingDays: 5,
      })
      const amazon = { ...shopify, code: 'amazon-eu', name: 'Amazon EU', kind: 'amazon', marketCode: 'EU' }
      expect((await post('/api/channels', amazon)).statusCode).toBe(201)

      expect((await get('/api/channels?marketCode=EU')).json().items).toEqual([amazon])
      expect((await get('/api/channels?kind=shopify')).json().items).toEqual([shopify])
      expect((await get('/api/channels/shopify-uk')).json()).toEqual(shopify)

      const moved = await patch('/api/channels/amazon-eu', { feePct: 0.15, payoutDays: 14 })
      expect(moved.json()).toEqual({ ...amazon, feePct: 0.15, payoutDays: 14 })
      const unknown = await patch('/api/channels/amazon-eu', { marketCode: 'MARS' })
      expect(unknown.statusCode).toBe(422)
      expect(unknown.json().error.code).toBe('UNKNOWN_MARKET')
      expect((await get('/api/channels/amazon-eu')).json().marketCode).toBe('EU')
    })

    it.each([[{ code: 'Shopify UK' }], [{ feePct: 1.5 }], [{ kind: 'ebay' }], [{ payoutDays: -3 }]])(
      'refuses %j with 400',
      async (change) => {
        const res = await post('/api/channels', { ...shopify, code: 'other-one', ...change })
        expect(res.statusCode).toBe(400)
        expect(res.json().error.code).toBe('VALIDATION_FAILED')
      },
    )
  })

  describe('suppliers', () => {
    it('creates with defaults, gets, lists and updates', async () => {
      const input = { id: 'SUP-GLASS', name: 'Glassworks Ltd', currency: 'GBP', leadTimeDays: 21 }
      const created = await post('/api/suppliers', input)
      expect(created.statusCode).toBe(201)
      expect(created.json()).toEqual({ ...input, email: null, paymentDays: 30 })
      expect((await get('/api/suppliers')).json().items).toContainEqual(created.json())
      const updated = await patch('/api/suppliers/SUP-GLASS', {
        email: 'orders@glass.example',
        paymentDays: 45,
      })
      expect(updated.json()).toMatchObject({
        email: 'orders@glass.example',
        paymentDays: 45,
        leadTimeDays: 21,
      })
      expect((await get('/api/suppliers/SUP-GLASS')).json().email).toBe('orders@glass.example')
      expect((await post('/api/suppliers', input)).statusCode).toBe(409)
    })

    it.each([[{ email: 'not an email' }], [{ leadTimeDays: -1 }], [{ currency: 'gbp' }], [{ id: '../x' }]])(
      'refuses %j with 400',
      async (change) => {
        const base = { id: 'SUP-2', name: 'Caps', currency: 'EUR', leadTimeDays: 7 }
        expect((await post('/api/suppliers', { ...base, ...change })).statusCode).toBe(400)
      },
    )
  })

  describe('production lines', () => {
    it('creates, gets, lists and updates', async () => {
      const line = { code: 'LINE-1', name: 'Bottling line 1', idealRatePerHour: 1200.5 }
      expect((await post('/api/production-lines', line)).json()).toEqual(line)
      expect((await get('/api/production-lines')).json().items).toEqual([line])
      expect((await get('/api/production-lines/LINE-1')).json()).toEqual(line)
      const faster = await patch('/api/production-lines/LINE-1', { idealRatePerHour: 1500 })
      expect(faster.json()).toEqual({ ...line, idealRatePerHour: 1500 })
      expect(
        (await post('/api/production-lines', { ...line, code: 'LINE-2', idealRatePerHour: 0 })).statusCode,
      ).toBe(400)
      const entries = await auditOf('production_line', 'LINE-1')
      expect(entries.at(-1)).toMatchObject({
        action: 'catalog_update',
        old_values: { idealRatePerHour: 1200.5 },
        new_values: { idealRatePerHour: 1500 },
      })
    })
  })

  describe('who may call', () => {
    const writes: Array<[InjectOptions['method'], string, object]> = [
      ['POST', '/api/markets', { ...uk, code: 'NEW' }],
      ['PATCH', '/api/markets/UK', { name: 'x' }],
      ['POST', '/api/locations', { ...warehouse, code: 'NEW-1' }],
      ['PATCH', '/api/locations/WH-UK', { name: 'x' }],
      ['PATCH', '/api/channels/shopify-uk', { name: 'x' }],
      ['POST', '/api/suppliers', { id: 'S-NEW', name: 'x', currency: 'GBP', leadTimeDays: 1 }],
      ['PATCH', '/api/suppliers/SUP-GLASS', { name: 'x' }],
      ['POST', '/api/production-lines', { code: 'LINE-9', name: 'x', idealRatePerHour: 1 }],
      ['PATCH', '/api/production-lines/LINE-1', { name: 'x' }],
      ['POST', '/api/products', { sku: 'NEW', name: 'x', kind: 'finished', unitCost: 1, leadTimeDays: 1 }],
      ['PATCH', '/api/products/NEW', { name: 'x' }],
      ['PUT', '/api/products/NEW/bom', { lines: [] }],
    ]

    it.each(writes)(
      '%s %s: 403 for viewers and operators, 401 without a key',
      async (method, url, payload) => {
        for (const role of ['viewer', 'operator'] as const) {
          const res = await call(method, url, payload, role)
          expect(res.statusCode).toBe(403)
          expect(res.json().error.code).toBe('FORBIDDEN')
        }
        const anonymous = await t.app.inject({ method, url, payload })
        expect(anonymous.statusCode).toBe(401)
        expect(anonymous.json().error.code).toBe('UNAUTHORIZED')
      },
    )

    it.each([
      '/api/markets',
      '/api/locations',
      '/api/channels',
      '/api/products',
      '/api/suppliers',
      '/api/production-lines',
    ])('GET %s: 200 for a viewer, 401 without a key', async (url) => {
      expect((await get(url)).statusCode).toBe(200)
      expect((await t.app.inject({ url })).statusCode).toBe(401)
    })

    it('wrote nothing for the refused calls', async () => {
      expect((await get('/api/markets/NEW')).statusCode).toBe(404)
      expect((await get('/api/products/NEW')).statusCode).toBe(404)
      expect((await get('/api/markets/UK')).json().name).toBe(uk.name)
    })
  })
})
