import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeTestContext, createTestContext } from '../../../../test/app.ts'
import { insertCatalogAndRates } from '../../../../test/business.ts'
import { TestClock } from '../../../../test/clock.ts'
import { msDate } from '../../../../test/fakes/http.ts'
import { startXeroFake, type XeroFake, type XeroFakeInvoice } from '../../../../test/fakes/xero.ts'
import { ConfigError, loadConfig } from '../../../config.ts'
import type { XeroSettings } from '../../../config-connectors.ts'
import type { AppContext } from '../../../context.ts'
import { createFetcher } from '../http.ts'
import { ConnectorHttpError } from '../types.ts'
import { xeroConnector } from './index.ts'

const credentials = {
  clientId: 'XERO-CLIENT-1',
  clientSecret: 'xero-secret',
  tenantId: '9b5c1f0e-0000-4000-8000-000000000001',
}
const uuid = (n: number) => `7f3e2a10-0000-4000-8000-${String(n).padStart(12, '0')}`
const at = (iso: string) => msDate(iso, '+0000')

describe('Xero settings', () => {
  it('is not configured without credentials, and a half-set pair names the missing variable', () => {
    expect(xeroConnector.settings(loadConfig({}))).toBeUndefined()
    let error: unknown
    try {
      loadConfig({ XERO_CLIENT_SECRET: 'secret' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).variable).toBe('XERO_CLIENT_ID')
    expect(xeroConnector.settings(loadConfig({ XERO_CLIENT_ID: 'id', XERO_CLIENT_SECRET: 's' }))).toEqual({
      identityUrl: 'https://identity.xero.com/connect/token',
      apiUrl: 'https://api.xero.com',
      clientId: 'id',
      clientSecret: 's',
      tenantId: undefined,
    })
  })
})

describe('Xero connector', () => {
  const clock = new TestClock('2026-01-05T09:00:00Z')
  let fake: XeroFake
  let ctx: AppContext
  let settings: XeroSettings

  const sync = (since: string | null, config = settings) =>
    xeroConnector.sync({
      app: ctx,
      config,
      fetch: createFetcher({ sleep: async () => {} }),
      since,
      signal: new AbortController().signal,
    })
  const invoice = (n: number, fields: Partial<XeroFakeInvoice>): XeroFakeInvoice => ({
    InvoiceID: uuid(n),
    Type: 'ACCREC',
    InvoiceNumber: `INV-000${n}`,
    Contact: { Name: 'Harvey Nichols' },
    CurrencyCode: 'GBP',
    Total: 100,
    Date: at('2026-01-02T00:00:00Z'),
    DueDate: at('2026-02-01T00:00:00Z'),
    Status: 'AUTHORISED',
    UpdatedDateUTC: at(`2026-01-0${n}T10:00:00Z`),
    ...fields,
  })
  const rows = (table: 'receivables' | 'payables') =>
    ctx.db.selectFrom(table).selectAll().orderBy('id').execute()
  const iso = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : value)

  beforeAll(async () => {
    fake = await startXeroFake({ ...credentials, now: () => clock.ms() })
    fake.pageSize = 3
    ctx = await createTestContext({
      clock,
      start: false,
      env: {
        XERO_CLIENT_ID: credentials.clientId,
        XERO_CLIENT_SECRET: credentials.clientSecret,
        XERO_TENANT_ID: credentials.tenantId,
        XERO_IDENTITY_URL: `${fake.url}/connect/token`,
        XERO_API_URL: fake.url,
      },
    })
    settings = xeroConnector.settings(ctx.config)!
    await insertCatalogAndRates(ctx)
    fake.invoices.push(
      invoice(1, { Total: 1200 }),
      invoice(2, {
        Status: 'PAID',
        CurrencyCode: 'EUR',
        Total: 500,
        Date: at('2026-01-03T00:00:00Z'),
        DueDate: at('2026-01-10T00:00:00Z'),
        FullyPaidOnDate: at('2026-01-04T00:00:00Z'),
      }),
      invoice(3, {
        Type: 'ACCPAY',
        InvoiceNumber: 'GW-778',
        Contact: { Name: 'Northern Glassworks' },
        Total: 840.5,
        Date: undefined,
        DateString: '2026-01-03T00:00:00',
      }),
      invoice(4, {
        Type: 'ACCPAY',
        InvoiceNumber: '',
        Reference: 'PO 55',
        Contact: { Name: 'Unknown Co' },
        CurrencyCode: 'USD',
      }),
      invoice(5, { CurrencyCode: 'CHF', Total: 300 }),
    )
  })
  afterAll(async () => {
    await closeTestContext(ctx)
    await fake.close()
  })

  let cursor: string | null = null

  it('books two pages of invoices as receivables and payables in base currency', async () => {
    const result = await sync(null)
    expect(result).toMatchObject({ fetched: 5, written: 4, skipped: 1, cursor: '2026-01-05T10:00:00.000Z' })
    expect(result.notes).toEqual([expect.stringMatching(/^invoices skipped, NO_FX_RATE: .*\(1\): INV-0005$/)])
    cursor = result.cursor
    const api = fake.requests.filter((r) => r.path === '/api.xro/2.0/Invoices')
    expect(api.map((r) => new URLSearchParams(r.query).get('page'))).toEqual(['1', '2'])
    expect(api[0]!.query).toContain('Statuses=AUTHORISED,PAID,VOIDED')
    expect(api[0]!.headers['xero-tenant-id']).toBe(credentials.tenantId)
    expect(api[0]!.headers['if-modified-since']).toBeUndefined()
    expect(fake.issued).toBe(1)

    const receivables = (await rows('receivables')).map((r) => ({
      ...r,
      issued_on: iso(r.issued_on),
      due_on: iso(r.due_on),
      paid_on: iso(r.paid_on),
    }))
    expect(receivables).toEqual([
      {
        id: `xero:${uuid(1)}`,
        counterparty: 'Harvey Nichols',
        reference: 'INV-0001',
        currency: 'GBP',
        amount: '1200.00',
        amount_base: '1200.00',
        issued_on: '2026-01-02',
        due_on: '2026-02-01',
        paid_on: null,
      },
      {
        id: `xero:${uuid(2)}`,
        counterparty: 'Harvey Nichols',
        reference: 'INV-0002',
        currency: 'EUR',
        amount: '500.00',
        amount_base: '425.00',
        issued_on: '2026-01-03',
        due_on: '2026-01-10',
        paid_on: '2026-01-04',
      },
    ])
    const payables = (await rows('payables')).map((r) => ({
      id: r.id,
      supplier: r.supplier_id,
      reference: r.reference,
      base: r.amount_base,
      issued: iso(r.issued_on),
    }))
    expect(payables).toEqual([
      {
        id: `xero:${uuid(3)}`,
        supplier: 'sup-glassworks',
        reference: 'GW-778',
        base: '840.50',
        issued: '2026-01-03',
      },
      { id: `xero:${uuid(4)}`, supplier: null, reference: 'PO 55', base: '80.00', issued: '2026-01-02' },
    ])
  })

  it('books nothing new from the cursor; a later payment and a void update the same rows', async () => {
    const before = fake.requests.length
    const again = await sync(cursor)
    expect(again).toMatchObject({ written: 0, cursor: null })
    expect(fake.requests[before]!.headers['if-modified-since']).toBe('2026-01-05T10:00:00')

    Object.assign(fake.invoices[0]!, {
      Status: 'PAID',
      FullyPaidOnDate: at('2026-01-05T00:00:00Z'),
      UpdatedDateUTC: at('2026-01-05T11:00:00Z'),
    })
    Object.assign(fake.invoices[3]!, { Status: 'VOIDED', UpdatedDateUTC: at('2026-01-05T12:00:00Z') })
    const changed = await sync(cursor)
    expect(changed).toMatchObject({ written: 2, cursor: '2026-01-05T12:00:00.000Z' })
    const paid = (await rows('receivables')).find((r) => r.id === `xero:${uuid(1)}`)
    expect(iso(paid?.paid_on)).toBe('2026-01-05')
    expect((await rows('receivables')).length).toBe(2)
    expect((await rows('payables')).map((r) => r.id)).toEqual([`xero:${uuid(3)}`])
  })

  it('gets a new token when the old one ends by the clock', async () => {
    const issued = fake.issued
    clock.advance(1800_000)
    await sync('2026-01-05T12:00:00.000Z')
    expect(fake.issued).toBe(issued + 1)
    expect(fake.requests.filter((r) => r.status === 401)).toHaveLength(0)
  })

  it('gives a 401 for a wrong client secret, without retrying', async () => {
    const before = fake.requests.length
    const error = await sync(null, { ...settings, clientSecret: 'wrong' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectorHttpError)
    expect((error as ConnectorHttpError).status).toBe(401)
    expect(fake.requests.length - before).toBe(1)
  })

  it('is refused by the fake without a bearer token, and for another organisation', async () => {
    const fetch = createFetcher({ sleep: async () => {} })
    const url = `${fake.url}/api.xro/2.0/Invoices?page=1`
    const missing = await fetch({ url, headers: { accept: 'application/json' } }).catch((e: unknown) => e)
    expect((missing as ConnectorHttpError).status).toBe(401)
    const other = await sync(null, { ...settings, tenantId: 'another-tenant' }).catch((e: unknown) => e)
    expect((other as ConnectorHttpError).status).toBe(403)
  })
})
