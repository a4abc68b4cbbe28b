import { createHmac, timingSafeEqual } from 'node:crypto'
import { type FakeServer, pageOf, startFake } from './http.ts'

/**
 * A local Unleashed API: checks `api-auth-id` and `api-auth-signature` (base64 HMAC-SHA256 of
 * the query string with the API key) and answers 403 when either is wrong, pages
 * `/StockOnHand/{page}` and `/Assemblies/{page}`, and filters by `modifiedSince`.
 */

export interface UnleashedStockRow {
  ProductCode: string
  WarehouseCode: string
  QtyOnHand: number
  LastModifiedOn: string
}

export interface UnleashedAssemblyRow {
  Guid: string
  AssemblyNumber: string
  AssemblyStatus: string
  Product: { ProductCode: string }
  Quantity: number
  AssemblyDate?: string
  AssembleBy?: string
  LastModifiedOn: string
}

export interface UnleashedFake extends FakeServer {
  stock: UnleashedStockRow[]
  assemblies: UnleashedAssemblyRow[]
  /** The page size the fake uses whatever is asked (small, so a few rows make several pages). */
  pageSize: number
}

const modifiedAt = (value: string) => Number(/\/Date\((\d+)/.exec(value)?.[1])

export async function startUnleashedFake(credentials: {
  apiId: string
  apiKey: string
}): Promise<UnleashedFake> {
  const state = { stock: [] as UnleashedStockRow[], assemblies: [] as UnleashedAssemblyRow[], pageSize: 2 }
  // The handler reads `state`, which becomes the returned fake, so tests change its rows in place.
  const server = await startFake((request) => {
    const expected = createHmac('sha256', credentials.apiKey).update(request.query).digest()
    const given = Buffer.from(String(request.headers['api-auth-signature'] ?? ''), 'base64')
    if (request.headers['api-auth-id'] !== credentials.apiId)
      return { status: 403, body: { description: 'Unknown api-auth-id' } }
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { status: 403, body: { description: 'The signature does not match' } }
    if (request.headers.accept !== 'application/json' || !request.headers['client-type'])
      return { status: 400, body: { description: 'Accept: application/json and client-type are required' } }
    const match = /^\/(StockOnHand|Assemblies)\/(\d+)$/.exec(request.path)
    if (!match) return { status: 404, body: { description: 'No such resource' } }
    const params = new URLSearchParams(request.query)
    const since = params.get('modifiedSince')
    const from = since ? Date.parse(`${since}Z`) : Number.NEGATIVE_INFINITY
    if (Number.isNaN(from)) return { status: 400, body: { description: 'modifiedSince is not a date' } }
    const rows = (match[1] === 'StockOnHand' ? state.stock : state.assemblies).filter(
      (row) => modifiedAt(row.LastModifiedOn) >= from,
    )
    const page = Number(match[2])
    const size = Math.min(state.pageSize, Number(params.get('pageSize') ?? 200))
    const { items, pages } = pageOf(rows, page, size)
    return {
      status: 200,
      body: {
        Pagination: { NumberOfItems: rows.length, PageSize: size, PageNumber: page, NumberOfPages: pages },
        Items: items,
      },
    }
  })
  return Object.assign(state, server)
}
