import { createHash } from 'node:crypto'
import { type Static, Type } from 'typebox'
import type { XeroSettings } from '../../../config-connectors.ts'
import { checkShape, utcSeconds } from '../../../platform/external-json.ts'
import { Nullable } from '../../../platform/http/schema.ts'
import { ConnectorHttpError, type ConnectorResponse, type SyncRun } from '../types.ts'

/**
 * Xero's accounting API for a custom connection: a client-credentials token (HTTP Basic with
 * the client id and secret; 30 minutes, kept until a minute before it ends by the app's clock),
 * then the Invoices endpoint paged 100 at a time.
 */

export const PAGE_SIZE = 100
/** Invoices owed or settled, and voided ones (to drop what was booked); drafts are not owed yet. */
export const STATUSES = 'AUTHORISED,PAID,VOIDED'
const MAX_PAGES = 1000
const EARLY_MS = 60_000

const TokenAnswer = Type.Object({
  access_token: Type.String({ minLength: 1 }),
  expires_in: Type.Number({ minimum: 1 }),
})
const tokens = new Map<string, { token: string; expiresAt: number }>()
const keyOf = (settings: XeroSettings) =>
  createHash('sha256')
    .update([settings.identityUrl, settings.clientId, settings.clientSecret].join('\n'))
    .digest('base64url')

async function accessToken(run: SyncRun<XeroSettings>): Promise<{ token: string; cached: boolean }> {
  const key = keyOf(run.config)
  const now = run.app.clock.ms()
  const kept = tokens.get(key)
  if (kept && kept.expiresAt - EARLY_MS > now) return { token: kept.token, cached: true }
  const basic = Buffer.from(`${run.config.clientId}:${run.config.clientSecret}`).toString('base64')
  const response = await run.fetch({
    method: 'POST',
    url: run.config.identityUrl,
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: 'grant_type=client_credentials',
  })
  const answer = checkShape(TokenAnswer, response.json, 'The Xero token answer')
  tokens.set(key, { token: answer.access_token, expiresAt: now + answer.expires_in * 1000 })
  return { token: answer.access_token, cached: false }
}

/** A GET with the bearer token; a refused token from the cache is replaced once. */
async function get(run: SyncRun<XeroSettings>, url: string, headers: Record<string, string>) {
  const send = (token: string): Promise<ConnectorResponse> =>
    run.fetch({
      url,
      headers: {
        ...headers,
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(run.config.tenantId ? { 'xero-tenant-id': run.config.tenantId } : {}),
      },
    })
  const first = await accessToken(run)
  try {
    return await send(first.token)
  } catch (error) {
    if (!(error instanceof ConnectorHttpError) || ![401, 403].includes(error.status) || !first.cached)
      throw error
    tokens.delete(keyOf(run.config))
    return send((await accessToken(run)).token)
  }
}

export const Invoice = Type.Object({
  InvoiceID: Type.String({ pattern: '^[0-9a-fA-F-]{32,36}$' }),
  Type: Type.String(),
  InvoiceNumber: Type.Optional(Nullable(Type.String())),
  Reference: Type.Optional(Nullable(Type.String())),
  Contact: Type.Optional(Nullable(Type.Object({ Name: Type.Optional(Nullable(Type.String())) }))),
  CurrencyCode: Type.String({ pattern: '^[A-Z]{3}$' }),
  Total: Type.Number({ minimum: 0 }),
  Date: Type.Optional(Nullable(Type.String())),
  DateString: Type.Optional(Nullable(Type.String())),
  DueDate: Type.Optional(Nullable(Type.String())),
  DueDateString: Type.Optional(Nullable(Type.String())),
  FullyPaidOnDate: Type.Optional(Nullable(Type.String())),
  Status: Type.String(),
  UpdatedDateUTC: Type.String(),
})
export type Invoice = Static<typeof Invoice>

const InvoicesPage = Type.Object({
  Invoices: Type.Array(Invoice),
  pagination: Type.Optional(Type.Object({ pageCount: Type.Integer({ minimum: 0 }) })),
})

/**
 * Every page of invoices changed since `modifiedSince` (If-Modified-Since), handed to `book`.
 * Paging ends at the page count Xero reports, or else at a page shorter than PAGE_SIZE.
 */
export async function eachInvoicePage(
  run: SyncRun<XeroSettings>,
  modifiedSince: Date | undefined,
  book: (invoices: Invoice[]) => Promise<void>,
): Promise<void> {
  const headers: Record<string, string> = modifiedSince
    ? { 'if-modified-since': utcSeconds(modifiedSince) }
    : {}
  for (let page = 1; page <= MAX_PAGES; page++) {
    if (run.signal.aborted) throw run.signal.reason
    const url = `${run.config.apiUrl}/api.xro/2.0/Invoices?page=${page}&pageSize=${PAGE_SIZE}&Statuses=${STATUSES}`
    const response = await get(run, url, headers)
    const body = checkShape(InvoicesPage, response.json, `Xero invoices page ${page}`)
    await book(body.Invoices)
    const last = body.pagination ? page >= body.pagination.pageCount : body.Invoices.length < PAGE_SIZE
    if (last) return
  }
  throw new Error(`Xero returned more than ${MAX_PAGES} pages of invoices; stopped`)
}
