import { Readable } from 'node:stream'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'
import { bookOrders } from '../orders/batch.ts'

/** Orders through the upload endpoint: stored state, idempotency, dry runs, batches and errors. */

const HEADER = 'external_id,channel,placed_at,status,sku,quantity,unit_price,shipping'

describe('orders import', () => {
  let t: TestApp
  let operator: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock('2026-03-10T12:00:00Z') })
    await insertCatalogAndRates(t.ctx)
    operator = await as(t.ctx, 'operator')
    // stock to ship fulfilled orders from
    await t.ctx.db
      .insertInto('stock_levels')
      .values([
        { sku: 'GABA-RED', location_code: 'UK-WH', on_hand: 100 },
        { sku: 'GABA-RED', location_code: 'EU-3PL', on_hand: 10 },
      ])
      .execute()
  })
  afterAll(() => t.close())

  const upload = (body: string, query = '', headers: Record<string, string> = operator) =>
    t.app.inject({
      method: 'POST',
      url: `/api/imports/orders${query}`,
      headers: { 'content-type': 'text/csv', ...headers },
      payload: body,
    })
  const count = async (table: 'orders' | 'order_lines' | 'stock_movements') =>
    Number(
      (
        await t.ctx.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('books orders with their lines, amounts, reservations, sales and rollups', async () => {
    const file = [
      HEADER,
      // an EU order of two lines, priced from the catalog except the second line
      'A-1,shopify-eu,2026-03-02T10:15:00Z,pending,GABA-RED,2,,5',
      'A-1,shopify-eu,2026-03-02T10:15:00Z,pending,GABA-GOLD,1,45,5',
      'A-2,shopify-uk,2026-03-02T10:40:00Z,fulfilled,GABA-RED,3,,',
      'A-3,shopify-uk,2026-03-02T11:05:00Z,cancelled,GABA-RED,1,,',
    ].join('\n')
    const res = await upload(file, '?file=march.csv')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      type: 'orders',
      dryRun: false,
      status: 'succeeded',
      record: 'order',
      rows: 4,
      created: 3,
      updated: 0,
      skipped: 0,
      failed: 0,
      batches: { committed: 1, rolledBack: 0 },
      errors: [],
      errorCount: 0,
      fileError: null,
    })
    const a1 = await t.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('external_id', '=', 'A-1')
      .executeTakeFirstOrThrow()
    // as the orders API prices it: 2 × 34.99 + 45 = 114.98; tax 21% = 24.15; total 144.13 EUR; × 0.85
    expect({
      source: a1.source,
      market: a1.market_code,
      location: a1.location_code,
      currency: a1.currency,
      subtotal: Number(a1.subtotal),
      tax: Number(a1.tax),
      total: Number(a1.total),
      totalBase: Number(a1.total_base),
    }).toEqual({
      source: 'csv',
      market: 'EU',
      location: 'EU-3PL',
      currency: 'EUR',
      subtotal: 114.98,
      tax: 24.15,
      total: 144.13,
      totalBase: 122.51,
    })
    const lines = await t.ctx.db
      .selectFrom('order_lines')
      .select(['line_no', 'sku', 'quantity', 'unit_price'])
      .where('order_id', '=', a1.id)
      .orderBy('line_no')
      .execute()
    expect(lines.map((l) => [l.line_no, l.sku, l.quantity, Number(l.unit_price)])).toEqual([
      [1, 'GABA-RED', 2, 34.99],
      [2, 'GABA-GOLD', 1, 45],
    ])
    const levels = await t.ctx.db
      .selectFrom('stock_levels')
      .select(['sku', 'location_code', 'on_hand', 'reserved'])
      .orderBy('sku')
      .orderBy('location_code')
      .execute()
    expect(levels).toEqual([
      { sku: 'GABA-GOLD', location_code: 'EU-3PL', on_hand: 0, reserved: 1 },
      { sku: 'GABA-RED', location_code: 'EU-3PL', on_hand: 10, reserved: 2 },
      // A-2 shipped 3, A-3 was cancelled: nothing held at UK-WH
      { sku: 'GABA-RED', location_code: 'UK-WH', on_hand: 97, reserved: 0 },
    ])
    const sale = await t.ctx.db.selectFrom('stock_movements').selectAll().executeTakeFirstOrThrow()
    expect(sale).toMatchObject({ kind: 'sale', sku: 'GABA-RED', location_code: 'UK-WH', quantity: -3 })
    const totals = await t.ctx.db
      .selectFrom('order_totals_hourly')
      .select(['channel_code', 'orders', 'revenue_base'])
      .where('hour', '=', new Date('2026-03-02T10:00:00Z'))
      .orderBy('channel_code')
      .execute()
    // A-2: 3 × 29.99 = 89.97 + 20% tax 17.99 = 107.96 GBP
    expect(totals.map((r) => [r.channel_code, r.orders, Number(r.revenue_base)])).toEqual([
      ['shopify-eu', 1, 122.51],
      ['shopify-uk', 1, 107.96],
    ])
    // the cancelled order is out of the rollups
    const cancelledHour = await t.ctx.db
      .selectFrom('sales_hourly')
      .select(['orders', 'units'])
      .where('hour', '=', new Date('2026-03-02T11:00:00Z'))
      .execute()
    expect(cancelledHour.every((r) => r.orders === 0 && r.units === 0)).toBe(true)
    const history = await t.app.inject({ method: 'GET', url: '/api/imports', headers: operator })
    expect(history.json().items[0]).toMatchObject({
      type: 'orders',
      file: 'march.csv',
      status: 'succeeded',
      created: 3,
    })
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('action', '=', 'data_import')
      .executeTakeFirstOrThrow()
    expect(audit.new_values).toMatchObject({ type: 'orders', created: 3, file: 'march.csv' })
  })

  it('creates nothing when the same file comes again', async () => {
    const before = await count('orders')
    const file = [
      HEADER,
      'A-1,shopify-eu,2026-03-02T10:15:00Z,pending,GABA-RED,2,,5',
      'A-1,shopify-eu,2026-03-02T10:15:00Z,pending,GABA-GOLD,1,45,5',
    ].join('\n')
    const res = await upload(file)
    expect(res.json()).toMatchObject({ status: 'succeeded', created: 0, skipped: 1, failed: 0 })
    expect(await count('orders')).toBe(before)
  })

  it('reports in a dry run what a real run would do, and writes nothing', async () => {
    const before = { orders: await count('orders'), movements: await count('stock_movements') }
    const file = [
      HEADER,
      'A-1,shopify-eu,2026-03-02T10:15:00Z,pending,GABA-RED,2,,5', // imported already
      'D-1,shopify-uk,2026-03-03T09:00:00Z,fulfilled,GABA-RED,90,,',
      'D-2,shopify-uk,2026-03-03T09:30:00Z,paid,GABA-BLACK,1,,',
    ].join('\n')
    const dry = await upload(file, '?dryRun=true&batchSize=1')
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({
      id: null,
      dryRun: true,
      status: 'succeeded',
      created: 2,
      skipped: 1,
      batches: { committed: 3, rolledBack: 0 },
    })
    expect({ orders: await count('orders'), movements: await count('stock_movements') }).toEqual(before)
    // a dry run leaves no history either
    const history = await t.app.inject({ method: 'GET', url: '/api/imports', headers: operator })
    expect(history.json().items.every((run: { created: number }) => run.created !== 2)).toBe(true)
  })

  it('sees the earlier batches of a dry run: stock shipped in batch 1 is gone in batch 2', async () => {
    const file = [
      HEADER,
      'S-1,shopify-eu,2026-03-03T09:00:00Z,fulfilled,GABA-RED,6,,',
      'S-2,shopify-eu,2026-03-03T10:00:00Z,fulfilled,GABA-RED,6,,',
    ].join('\n')
    const dry = await upload(file, '?dryRun=true&batchSize=1')
    expect(dry.json()).toMatchObject({ created: 1, batches: { committed: 1, rolledBack: 1 } })
    expect(dry.json().errors[0]).toMatchObject({ row: 3, column: 'quantity' })
    expect(dry.json().errors[0].message).toContain('Only 4 of GABA-RED on hand at EU-3PL')
  })

  it('commits good batches and rolls back a batch with a bad row entirely', async () => {
    const before = await count('orders')
    const file = [
      HEADER,
      'B-1,shopify-uk,2026-03-04T09:00:00Z,pending,GABA-RED,1,,',
      'B-2,shopify-uk,2026-03-04T09:00:00Z,pending,GABA-RED,1,,',
      'B-3,shopify-uk,2026-03-04T09:00:00Z,pending,GABA-RED,1,,',
      'B-4,shopify-uk,2026-03-04T09:00:00Z,pending,GABA-RED,0,,', // row 5: batch 2
      'B-5,shopify-uk,2026-03-04T09:00:00Z,pending,GABA-RED,1,,',
      'B-6,shopify-uk,2026-03-04T09:00:00Z,pending,GABA-RED,1,,',
    ].join('\n')
    const res = await upload(file, '?batchSize=2')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      status: 'partial',
      rows: 6,
      created: 4,
      failed: 2,
      batches: { size: 2, committed: 2, rolledBack: 1 },
      rolledBack: [{ batch: 2, fromRow: 4, toRow: 5, rows: 2 }],
      errors: [{ row: 5, column: 'quantity', message: 'quantity: 0 is outside 1–1000000' }],
      errorCount: 1,
    })
    const ids = await t.ctx.db
      .selectFrom('orders')
      .select('external_id')
      .where('external_id', 'like', 'B-%')
      .orderBy('external_id')
      .execute()
    expect(ids.map((r) => r.external_id)).toEqual(['B-1', 'B-2', 'B-5', 'B-6'])
    expect(await count('orders')).toBe(before + 4)
  })

  it('keeps the lines of one order in one batch', async () => {
    const file = [
      HEADER,
      'G-1,shopify-uk,2026-03-05T09:00:00Z,pending,GABA-RED,1,,',
      'G-2,shopify-uk,2026-03-05T09:00:00Z,pending,GABA-RED,1,,',
      'G-2,shopify-uk,2026-03-05T09:00:00Z,pending,GABA-BLACK,1,,',
      'G-2,shopify-uk,2026-03-05T09:00:00Z,pending,GABA-GOLD,1,,',
      'G-3,shopify-uk,2026-03-05T09:00:00Z,pending,GABA-RED,1,,',
    ].join('\n')
    const res = await upload(file, '?batchSize=2')
    expect(res.json()).toMatchObject({ created: 3, batches: { committed: 2 } })
    const lines = await t.ctx.db
      .selectFrom('order_lines')
      .innerJoin('orders', 'orders.id', 'order_lines.order_id')
      .select('order_lines.sku')
      .where('orders.external_id', '=', 'G-2')
      .execute()
    expect(lines).toHaveLength(3)
  })

  it('reports every bad cell with its row and column', async () => {
    const file = [
      `${HEADER},currency,location`,
      'E-1,shopify-uk,2026-03-06T09:00:00Z,pending,NOPE,1,,,,',
      'E-2,nowhere,2026-03-06T09:00:00Z,pending,GABA-RED,1,,,,',
      'E-3,shopify-uk,2026-02-30T09:00:00Z,pending,GABA-RED,1,,,,',
      'E-4,shopify-uk,2026-03-06T09:00:00Z,pending,GABA-RED,two,,,,',
      'E-5,shopify-uk,2026-03-06T09:00:00Z,pending,GABA-RED,-3,,,,',
      'E-6,shopify-uk,2026-03-06T09:00:00Z,pending,GABA-RED,1,,,JPY,',
      'E-7,shopify-uk,2026-03-06T09:00:00Z,shipped,GABA-RED,1,1.234,,,',
      'E-8,shopify-uk,2026-03-06T09:00:00Z,pending,GABA-RED,1,,,,MOON',
      'E-9,shopify-uk,2026-03-06T09:00:00Z,pending,GABA-RED,1,,,,',
      'E-9,shopify-uk,2026-03-06T10:00:00Z,pending,GABA-RED,1,,,,',
      'E-10,shopify-uk,2026-03-06T09:00:00Z,pending,GABA-RED,1,,,,',
      'E-1,shopify-uk,2026-03-06T09:00:00Z,pending,GABA-RED,1,,,,',
      'E-11,shopify-uk,2026-03-06T09:00,pending,GABA-RED,1,,,,',
      'E-12,shopify-uk,2026-03-06T09:00:00Z,pending,GABA-RED,1,,',
    ].join('\n')
    const res = await upload(file)
    expect(res.statusCode).toBe(200)
    const errors = res.json().errors as { row: number; column: string | null; message: string }[]
    const at = (row: number) => errors.filter((e) => e.row === row).map((e) => [e.column, e.message])
    expect(at(2)).toEqual([['sku', 'sku: no product NOPE']])
    expect(at(3)).toEqual([['channel', 'channel: no sales channel nowhere']])
    expect(at(4)).toEqual([['placed_at', 'placed_at: 2026-02-30T09:00:00Z is not a real date and time']])
    expect(at(5)).toEqual([['quantity', 'quantity: "two" is not a whole number']])
    expect(at(6)).toEqual([['quantity', 'quantity: -3 is outside 1–1000000']])
    expect(at(7)).toEqual([['currency', 'No JPY→GBP exchange rate on or before 2026-03-06']])
    expect(at(8)).toEqual([
      ['status', 'status: "shipped" is not one of pending, paid, fulfilled, cancelled, refunded'],
      ['unit_price', 'unit_price: 1.234 has more than 2 decimal places'],
    ])
    expect(at(9)).toEqual([['location', 'location: no location MOON']])
    expect(at(11)).toEqual([['placed_at', 'placed_at differs from row 10, the first row of order E-9']])
    expect(at(13)).toEqual([
      ['external_id', 'external_id E-1 was used in row 2: the rows of one order must be consecutive'],
    ])
    expect(at(14)[0]![1]).toContain('has no time zone')
    expect(at(15)).toEqual([[null, 'Row 15 has 8 fields; the header has 10']])
    expect(res.json()).toMatchObject({ status: 'failed', created: 0, failed: 14, errorCount: 13 })
  })

  it('refuses a file without a required column up front, once', async () => {
    const res = await upload('external_id,channel,sku,quantity,colour\nX-1,shopify-uk,GABA-RED,1,red\n')
    expect(res.statusCode).toBe(422)
    const { error } = res.json()
    expect(error.code).toBe('CSV_COLUMNS')
    expect(error.message).toContain('Missing required column placed_at')
    expect(error.details.report.errors).toEqual([
      { row: 1, column: 'colour', message: 'Unknown column colour' },
      { row: 1, column: 'placed_at', message: 'Missing required column placed_at' },
    ])
    expect(error.details.report.rows).toBe(0)
  })

  it('explains a malformed file instead of failing', async () => {
    const file = [
      HEADER,
      'M-1,shopify-uk,2026-03-07T09:00:00Z,pending,GABA-RED,1,,',
      'M-2,"shopify-uk,2026-03-07T09:00:00Z,pending,GABA-RED,1,,',
      'M-3,shopify-uk,2026-03-07T09:00:00Z,pending,GABA-RED,1,,',
    ].join('\n')
    const res = await upload(file)
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('CSV_MALFORMED')
    expect(res.json().error.message).toContain('The quoted field starting in row 3 is never closed')
    const empty = await upload('')
    expect(empty.statusCode).toBe(400)
    expect(empty.json().error.code).toBe('CSV_EMPTY')
  })

  /** A body that arrives in pieces, with no length known up front. */
  const streamed = (header: string, rows: number, row: (i: number) => string) =>
    Readable.from(
      (function* () {
        yield `${header}\n`
        for (let i = 0; i < rows; i++) yield `${row(i)}\n`
      })(),
    )

  it('reads an uploaded body as a stream, batch by batch', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/imports/orders?batchSize=500&file=generated.csv',
      headers: { 'content-type': 'text/csv', ...operator },
      payload: streamed(
        HEADER,
        3000,
        (i) => `UP-${i},shopify-uk,2026-03-01T10:00:00Z,pending,GABA-BLACK,1,,`,
      ),
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ rows: 3000, created: 3000, errorCount: 0, file: 'generated.csv' })
    expect(res.json().batches.committed).toBe(6)
  })

  it('refuses a body over IMPORT_BODY_LIMIT_BYTES, declared or streamed', async () => {
    const small = await buildTestApp({ start: false, env: { IMPORT_BODY_LIMIT_BYTES: '2048' } })
    try {
      const headers = { 'content-type': 'text/csv', ...(await as(small.ctx, 'operator')) }
      const row = () => 'shopify-uk,2026-03-02T10:00:00Z,1'
      const declared = await small.app.inject({
        method: 'POST',
        url: '/api/imports/sessions',
        headers,
        payload: `channel,hour,visits\n${`${row()}\n`.repeat(100)}`,
      })
      expect(declared.statusCode).toBe(413)
      expect(declared.json().error.code).toBe('CSV_TOO_LARGE')
      const counted = await small.app.inject({
        method: 'POST',
        url: '/api/imports/sessions',
        headers,
        payload: streamed('channel,hour,visits', 100, row),
      })
      expect(counted.statusCode).toBe(413)
      expect(counted.json().error).toMatchObject({
        code: 'CSV_TOO_LARGE',
        message: 'The file is larger than the 2048-byte limit',
      })
    } finally {
      await small.close()
    }
  })

  it('takes only CSV, and only from a caller allowed to import', async () => {
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/imports/orders',
      headers: operator,
      payload: { rows: [] },
    })
    expect(json.statusCode).toBe(415)
    expect(json.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    expect((await upload(HEADER, '', {})).statusCode).toBe(401)
    expect((await upload(HEADER, '', await as(t.ctx, 'viewer'))).statusCode).toBe(403)
    // products are the catalog's: managers edit them
    const products = await t.app.inject({
      method: 'POST',
      url: '/api/imports/products',
      headers: { 'content-type': 'text/csv', ...operator },
      payload: 'sku,name,kind,unit_cost,lead_time_days\n',
    })
    expect(products.statusCode).toBe(403)
  })

  it.runIf(process.env.DATABASE_URL !== undefined)(
    'skips an order another writer committed while the batch waited for it (PostgreSQL, batches in parallel)',
    async () => {
      // Another writer books R-2 and holds its transaction open.
      let booked!: () => void
      let commit!: () => void
      const bookedPromise = new Promise<void>((resolve) => {
        booked = resolve
      })
      const gate = new Promise<void>((resolve) => {
        commit = resolve
      })
      const other = t.ctx.db.transaction().execute(async (tx) => {
        await bookOrders(
          t.ctx,
          tx,
          [
            {
              externalId: 'R-2',
              channelCode: 'shopify-uk',
              marketCode: 'UK',
              locationCode: 'UK-WH',
              currency: 'GBP',
              status: 'pending',
              placedAt: new Date('2026-03-05T09:00:00Z'),
              fxRate: 1,
              taxRate: 0.2,
              lines: [{ sku: 'GABA-RED', quantity: 1, unitPrice: 30, unitCost: 5 }],
            },
          ],
          'csv',
          'test',
        )
        booked()
        await gate
      })
      await bookedPromise
      const rows = [1, 2, 3].map((n) => `R-${n},shopify-uk,2026-03-05T09:00:00Z,pending,GABA-RED,1,,`)
      const importing = upload([HEADER, ...rows].join('\n'), '?batchSize=1')
      // The import's insert of R-2 waits on the other writer's uncommitted row.
      for (let i = 0; i < 300; i++) {
        const waiting = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(t.ctx.db)
        if (waiting.rows[0]!.n > 0) break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      commit()
      await other
      // Its insert then fails on the unique key; the batch is run again and skips R-2.
      const res = await importing
      expect(res.json()).toMatchObject({ status: 'succeeded', created: 2, skipped: 1, failed: 0 })
      const booked2 = await t.ctx.db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('external_id', '=', 'R-2')
        .executeTakeFirstOrThrow()
      expect(Number(booked2.n)).toBe(1)
    },
  )
})
