import { randomBytes } from 'node:crypto'
import { type FakeServer, pageOf, startFake } from './http.ts'

/**
 * A local Xero: the identity server's client-credentials grant (HTTP Basic, 401 invalid_client
 * when wrong) and the accounting API's Invoices endpoint, which wants a live bearer token (401)
 * and the organisation's Xero-tenant-id when one is given (403 for another), filters by
 * Statuses and If-Modified-Since, and pages with `page` and `pageSize`.
 */

export interface XeroFakeInvoice {
  InvoiceID: string
  Type: 'ACCREC' | 'ACCPAY'
  InvoiceNumber?: string
  Reference?: string
  Contact: { ContactID?: string; Name: string }
  CurrencyCode: string
  Total: number
  AmountDue?: number
  AmountPaid?: number
  Date?: string
  DateString?: string
  DueDate?: string
  FullyPaidOnDate?: string
  Status: string
  UpdatedDateUTC: string
}

export interface XeroFake extends FakeServer {
  invoices: XeroFakeInvoice[]
  pageSize: number
  issued: number
}

const TOKEN_SECONDS = 1800
const refusal = (status: number, title: string) => ({
  status,
  body: { Type: null, Title: title, Status: status, Detail: 'AuthenticationUnsuccessful' },
})
const msOf = (value: string) => Number(/\/Date\((\d+)/.exec(value)?.[1])

export async function startXeroFake(options: {
  clientId: string
  clientSecret: string
  tenantId: string
  now: () => number
}): Promise<XeroFake> {
  const tokens = new Map<string, number>()
  const state = { invoices: [] as XeroFakeInvoice[], pageSize: 100, issued: 0 }
  const server = await startFake((request) => {
    if (request.method === 'POST' && request.path === '/connect/token') {
      const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')
      if (request.headers.authorization !== `Basic ${basic}`)
        return { status: 401, body: { error: 'invalid_client' } }
      if (new URLSearchParams(request.body).get('grant_type') !== 'client_credentials')
        return { status: 400, body: { error: 'unsupported_grant_type' } }
      const token = randomBytes(24).toString('base64url')
      tokens.set(token, options.now() + TOKEN_SECONDS * 1000)
      state.issued++
      return {
        status: 200,
        body: {
          access_token: token,
          expires_in: TOKEN_SECONDS,
          token_type: 'Bearer',
          scope: 'accounting.transactions.read',
        },
      }
    }
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1]
    const expiresAt = bearer ? tokens.get(bearer) : undefined
    if (expiresAt === undefined || expiresAt <= options.now()) return refusal(401, 'Unauthorized')
    const tenant = request.headers['xero-tenant-id']
    if (tenant !== undefined && tenant !== options.tenantId) return refusal(403, 'Forbidden')
    if (request.path !== '/api.xro/2.0/Invoices') return { status: 404, body: { Title: 'Not Found' } }
    if (request.headers.accept !== 'application/json')
      return { status: 406, body: { Title: 'Not Acceptable' } }

    const params = new URLSearchParams(request.query)
    const statuses = params.get('Statuses')?.split(',')
    const since = request.headers['if-modified-since']
    const from = typeof since === 'string' ? Date.parse(`${since}Z`) : Number.NEGATIVE_INFINITY
    const rows = state.invoices.filter(
      (invoice) => (!statuses || statuses.includes(invoice.Status)) && msOf(invoice.UpdatedDateUTC) >= from,
    )
    const page = Number(params.get('page') ?? 1)
    const size = Math.min(state.pageSize, Number(params.get('pageSize') ?? 100))
    const { items, pages } = pageOf(rows, page, size)
    return {
      status: 200,
      body: {
        Id: randomBytes(8).toString('hex'),
        Status: 'OK',
        ProviderName: 'fake',
        DateTimeUTC: `/Date(${options.now()})/`,
        pagination: { page, pageSize: size, pageCount: pages, itemCount: rows.length },
        Invoices: items,
      },
    }
  })
  return Object.assign(state, server)
}
