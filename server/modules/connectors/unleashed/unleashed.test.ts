import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeTestContext, createTestContext } from '../../../../test/app.ts'
import { insertCatalogAndRates } from '../../../../test/business.ts'
import { TestClock } from '../../../../test/clock.ts'
import { msDate } from '../../../../test/fakes/http.ts'
import { startUnleashedFake, type UnleashedFake } from '../../../../test/fakes/unleashed.ts'
import { ConfigError, loadConfig } from '../../../config.ts'
import type { UnleashedSettings } from '../../../config-connectors.ts'
import type { AppContext } from '../../../context.ts'
import { recordMovement } from '../../inventory/ledger.ts'
import { plantOee } from '../../production/report.ts'
import { createFetcher } from '../http.ts'
import { ConnectorHttpError } from '../types.ts'
import { signatureOf } from './client.ts'
import { unleashedConnector } from './index.ts'

const credentials = { apiId: 'b5e3e6a0-api-id', apiKey: 'unleashed-test-key==' }
const GOLD = '2f0c1c52-6f0a-4b7e-9d7e-1a2b3c4d5e01'
const RED = '2f0c1c52-6f0a-4b7e-9d7e-1a2b3c4d5e02'

describe('Unleashed settings', () => {
  it('is not configured without credentials, and a half-set pair names the missing variable', () => {
    expect(unleashedConnector.settings(loadConfig({}))).toBeUndefined()
    let error: unknown
    try {
      loadConfig({ UNLEASHED_API_ID: 'id' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).variable).toBe('UNLEASHED_API_KEY')
    const settings = unleashedConnector.settings(
      loadConfig({
        UNLEASHED_API_ID: 'id',
        UNLEASHED_API_KEY: 'key',
        UNLEASHED_WAREHOUSE_LOCATIONS: 'Main=UK-WH',
      }),
    )
    expect(settings).toMatchObject({
      apiUrl: 'https://api.unleashedsoftware.com',
      apiId: 'id',
      apiKey: 'key',
    })
    expect(settings?.warehouseLocations.get('Main')).toBe('UK-WH')
    expect(() => loadConfig({ UNLEASHED_WAREHOUSE_LOCATIONS: 'Main' })).toThrow(
      /^UNLEASHED_WAREHOUSE_LOCATIONS/,
    )
  })
})

describe('Unleashed connector', () => {
  const clock = new TestClock('2026-01-05T09:00:00Z')
  let fake: UnleashedFake
  let ctx: AppContext
  let settings: UnleashedSettings

  const sync = (since: string | null, config = settings) =>
    unleashedConnector.sync({
      app: ctx,
      config,
      fetch: createFetcher({ sleep: async () => {} }),
      since,
      signal: new AbortController().signal,
    })
  const onHand = async (sku: string, location: string) =>
    (
      await ctx.db
        .selectFrom('stock_levels')
        .select('on_hand')
        .where('sku', '=', sku)
        .where('location_code', '=', location)
        .executeTakeFirst()
    )?.on_hand
  const batch = (guid: string) =>
    ctx.db
      .selectFrom('production_batches')
      .selectAll()
      .where('id', '=', `unleashed-${guid}`)
      .executeTakeFirst()

  beforeAll(async () => {
    fake = await startUnleashedFake(credentials)
    ctx = await createTestContext({
      clock,
      start: false,
      env: {
        UNLEASHED_API_ID: credentials.apiId,
        UNLEASHED_API_KEY: credentials.apiKey,
        UNLEASHED_API_URL: fake.url,
        UNLEASHED_WAREHOUSE_LOCATIONS: 'Leeds Main=UK-WH',
        UNLEASHED_PRODUCTION_LINE: 'LINE-1',
      },
    })
    settings = unleashedConnector.settings(ctx.config)!
    await insertCatalogAndRates(ctx)
    await ctx.db.transaction().execute(async (tx) => {
      const receipts: [string, string, number][] = [
        ['BOTTLE-500', 'FACTORY', 5000],
        ['CAP-28', 'FACTORY', 5000],
        ['LABEL-SET', 'FACTORY', 5000],
        ['BASE-GABA', 'FACTORY', 2000],
        ['GABA-BLACK', 'UK-WH', 50],
      ]
      for (const [sku, locationCode, quantity] of receipts)
        await recordMovement(tx, {
          kind: 'receipt',
          sku,
          locationCode,
          quantity,
          occurredAt: new Date('2026-01-02T00:00:00Z'),
          actor: 'test',
        })
    })
    fake.assemblies.push(
      {
        Guid: GOLD,
        AssemblyNumber: 'ASM-00041',
        AssemblyStatus: 'Completed',
        Product: { ProductCode: 'GABA-GOLD' },
        Quantity: 600,
        AssemblyDate: msDate('2026-01-04T00:00:00Z'),
        LastModifiedOn: msDate('2026-01-04T10:00:00Z'),
      },
      {
        Guid: RED,
        AssemblyNumber: 'ASM-00042',
        AssemblyStatus: 'Parked',
        Product: { ProductCode: 'GABA-RED' },
        Quantity: 1200,
        AssembleBy: msDate('2026-01-07T00:00:00Z'),
        LastModifiedOn: msDate('2026-01-04T11:00:00Z'),
      },
      {
        Guid: '2f0c1c52-6f0a-4b7e-9d7e-1a2b3c4d5e03',
        AssemblyNumber: 'ASM-00043',
        AssemblyStatus: 'Parked',
        Product: { ProductCode: 'NOT-OURS' },
        Quantity: 10,
        LastModifiedOn: msDate('2026-01-04T11:30:00Z'),
      },
      {
        Guid: '2f0c1c52-6f0a-4b7e-9d7e-1a2b3c4d5e04',
        AssemblyNumber: 'ASM-00044',
        AssemblyStatus: 'Deleted',
        Product: { ProductCode: 'GABA-RED' },
        Quantity: 5,
        LastModifiedOn: msDate('2026-01-04T12:00:00Z'),
      },
    )
    fake.stock.push(
      {
        ProductCode: 'GABA-RED',
        WarehouseCode: 'Leeds Main',
        QtyOnHand: 120,
        LastModifiedOn: msDate('2026-01-05T07:00:00Z'),
      },
      {
        ProductCode: 'GABA-BLACK',
        WarehouseCode: 'UK-WH',
        QtyOnHand: 40,
        LastModifiedOn: msDate('2026-01-05T07:30:00Z'),
      },
      {
        ProductCode: 'NOT-OURS',
        WarehouseCode: 'UK-WH',
        QtyOnHand: 5,
        LastModifiedOn: msDate('2026-01-05T07:45:00Z'),
      },
      {
        ProductCode: 'GABA-GOLD',
        WarehouseCode: 'Sydney',
        QtyOnHand: 7,
        LastModifiedOn: msDate('2026-01-05T08:00:00Z'),
      },
    )
  })
  afterAll(async () => {
    await closeTestContext(ctx)
    await fake.close()
  })

  let cursor: string | null = null

  it('books two pages of assemblies and stock, skipping and counting what it cannot map', async () => {
    const result = await sync(null)
    expect(result).toEqual({
      fetched: 8,
      written: 4,
      skipped: 4,
      cursor: JSON.stringify({ assemblies: '2026-01-04T12:00:00', stock: '2026-01-05T08:00:00' }),
      notes: [
        'assemblies skipped, UNKNOWN_SKU (1): ASM-00043: No product NOT-OURS',
        'stock on hand skipped, unknown product (1): NOT-OURS',
        'stock on hand skipped, unknown warehouse (1): Sydney',
      ],
    })
    cursor = result.cursor
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/Assemblies/1',
      '/Assemblies/2',
      '/StockOnHand/1',
      '/StockOnHand/2',
    ])
    expect(fake.requests[0]!.query).toBe('pageSize=200')

    // stock on hand: one adjustment per difference, through the ledger
    expect(await onHand('GABA-RED', 'UK-WH')).toBe(120)
    expect(await onHand('GABA-BLACK', 'UK-WH')).toBe(40)
    const adjustments = await ctx.db
      .selectFrom('stock_movements')
      .select(['sku', 'quantity', 'reference_type', 'reference_id'])
      .where('kind', '=', 'adjustment')
      .orderBy('sku')
      .execute()
    expect(adjustments).toEqual([
      { sku: 'GABA-BLACK', quantity: -10, reference_type: 'unleashed', reference_id: 'stock:2026-01-05' },
      { sku: 'GABA-RED', quantity: 120, reference_type: 'unleashed', reference_id: 'stock:2026-01-05' },
    ])

    // the completed assembly: a completed batch over the ideal run time, its output and consumption booked
    const gold = await batch(GOLD)
    expect(gold).toMatchObject({
      status: 'completed',
      sku: 'GABA-GOLD',
      lot: 'ASM-00041',
      line_code: 'LINE-1',
    })
    expect(gold).toMatchObject({
      good_count: 600,
      rejected_count: 0,
      location_code: 'FACTORY',
      measured: false,
    })
    // its output counts in the plant's figures; with no measured batch there is no OEE
    const plant = await plantOee(ctx, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-05T00:00:00Z'))
    expect(plant).toMatchObject({ goodUnits: 600, batches: 1, oee: null })
    expect(new Date(gold!.ended_at!).toISOString()).toBe('2026-01-04T00:00:00.000Z')
    expect(new Date(gold!.started_at!).toISOString()).toBe('2026-01-03T23:30:00.000Z') // 600 at 1200/h
    expect(await onHand('GABA-GOLD', 'FACTORY')).toBe(600)
    expect(await onHand('BOTTLE-500', 'FACTORY')).toBe(4400)
    expect(await onHand('BASE-GABA', 'FACTORY')).toBe(1700)

    // the parked one is planned; the unknown product and the deleted one never seen are skipped
    const red = await batch(RED)
    expect(red).toMatchObject({ status: 'planned', planned_quantity: 1200, lot: 'ASM-00042' })
    expect(new Date(red!.planned_start).toISOString()).toBe('2026-01-07T00:00:00.000Z')
    expect(new Date(red!.planned_end).toISOString()).toBe('2026-01-07T01:00:00.000Z')
    const batches = await ctx.db.selectFrom('production_batches').select('id').execute()
    expect(batches).toHaveLength(2)
  })

  it('books nothing new from the cursor, and picks up what changed after it', async () => {
    const before = fake.requests.length
    const again = await sync(cursor)
    expect(again.written).toBe(0)
    expect(again.cursor).toBeNull()
    expect(fake.requests[before]!.query).toBe('pageSize=200&modifiedSince=2026-01-04T12:00:00')

    const red = fake.assemblies.find((a) => a.Guid === RED)!
    Object.assign(red, {
      AssemblyStatus: 'Completed',
      AssemblyDate: msDate('2026-01-05T00:00:00Z'),
      LastModifiedOn: msDate('2026-01-05T08:30:00Z'),
    })
    fake.stock[0]!.QtyOnHand = 100
    fake.stock[0]!.LastModifiedOn = msDate('2026-01-05T08:40:00Z')
    const changed = await sync(cursor)
    expect(changed).toMatchObject({ written: 2 })
    expect(changed.cursor).toBe(
      JSON.stringify({ assemblies: '2026-01-05T08:30:00', stock: '2026-01-05T08:40:00' }),
    )
    expect(await batch(RED)).toMatchObject({ status: 'completed', good_count: 1200 })
    expect(await onHand('GABA-RED', 'UK-WH')).toBe(100)
  })

  it('retries a 503 and then succeeds', async () => {
    fake.fail(503)
    const before = fake.requests.length
    await sync(JSON.stringify({ assemblies: '2026-01-06T00:00:00', stock: '2026-01-06T00:00:00' }))
    expect(fake.requests.slice(before, before + 2).map((r) => [r.path, r.status])).toEqual([
      ['/Assemblies/1', 503],
      ['/Assemblies/1', 200],
    ])
  })

  it('gives a 403 for a wrong key, without retrying', async () => {
    const before = fake.requests.length
    const error = await sync(null, { ...settings, apiKey: 'not-the-key' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectorHttpError)
    expect((error as ConnectorHttpError).status).toBe(403)
    expect(fake.requests.length - before).toBe(1)
  })

  it('is refused by the fake when the signature is not of the query sent', async () => {
    const fetch = createFetcher({ sleep: async () => {} })
    const headers = (query: string) => ({
      Accept: 'application/json',
      'api-auth-id': credentials.apiId,
      'api-auth-signature': signatureOf(credentials.apiKey, query),
      'client-type': 'test/test',
    })
    const url = `${fake.url}/StockOnHand/1?pageSize=200`
    await expect(fetch({ url, headers: headers('pageSize=200') })).resolves.toMatchObject({ status: 200 })
    const refused = await fetch({ url, headers: headers('pageSize=100') }).catch((e: unknown) => e)
    expect((refused as ConnectorHttpError).status).toBe(403)
  })
})
