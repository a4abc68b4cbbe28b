import { createHmac } from 'node:crypto'
import { type Static, type TSchema, Type } from 'typebox'
import type { UnleashedSettings } from '../../../config-connectors.ts'
import { checkShape } from '../../../platform/external-json.ts'
import { Nullable } from '../../../platform/http/schema.ts'
import type { SyncRun } from '../types.ts'

/**
 * Unleashed's API as this connector uses it: every request signed with the API key, resources
 * paged in the path (`/StockOnHand/{page}`), answers `{ Pagination, Items }`.
 */

/** Sent as `client-type`, which Unleashed asks integrations to set (partner/application). */
export const CLIENT_TYPE = 'sentia/dashboard'
export const PAGE_SIZE = 200
/** A run stops paging here rather than loop on an answer whose page count keeps growing. */
const MAX_PAGES = 500

/** base64(HMAC-SHA256(API key, query string without `?`)), the `api-auth-signature` header. */
export function signatureOf(apiKey: string, query: string): string {
  return createHmac('sha256', apiKey).update(query, 'utf8').digest('base64')
}

const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    Pagination: Type.Object({ NumberOfPages: Type.Integer({ minimum: 0 }), PageNumber: Type.Integer() }),
    Items: Type.Array(item),
  })

export const StockItem = Type.Object({
  ProductCode: Type.String(),
  WarehouseCode: Type.Optional(Nullable(Type.String())),
  QtyOnHand: Type.Number(),
  LastModifiedOn: Type.Optional(Nullable(Type.String())),
})
export type StockItem = Static<typeof StockItem>

export const Assembly = Type.Object({
  Guid: Type.String({ pattern: '^[0-9a-fA-F-]{32,36}$' }),
  AssemblyNumber: Type.String(),
  AssemblyStatus: Type.String(),
  Product: Type.Object({ ProductCode: Type.String() }),
  Quantity: Type.Number(),
  AssemblyDate: Type.Optional(Nullable(Type.String())),
  AssembleBy: Type.Optional(Nullable(Type.String())),
  DestinationWarehouse: Type.Optional(Nullable(Type.Object({ WarehouseCode: Type.Optional(Type.String()) }))),
  LastModifiedOn: Type.Optional(Nullable(Type.String())),
})
export type Assembly = Static<typeof Assembly>

/**
 * Every page of a resource, one request at a time, handed to `book` as it arrives. The query
 * carries only characters that need no escaping, so the string signed is the string sent.
 */
export async function eachPage<T extends TSchema>(
  run: SyncRun<UnleashedSettings>,
  resource: 'StockOnHand' | 'Assemblies',
  item: T,
  params: Record<string, string | undefined>,
  book: (items: Static<T>[]) => Promise<void>,
): Promise<void> {
  const query = Object.entries({ pageSize: String(PAGE_SIZE), ...params })
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => {
      if (!/^[\w:.-]*$/.test(value)) throw new Error(`Unleashed ${name} ${value} would need escaping`)
      return `${name}=${value}`
    })
    .join('&')
  const schema = Page(item)
  for (let page = 1; page <= MAX_PAGES; page++) {
    if (run.signal.aborted) throw run.signal.reason
    const response = await run.fetch({
      url: `${run.config.apiUrl}/${resource}/${page}?${query}`,
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'api-auth-id': run.config.apiId,
        'api-auth-signature': signatureOf(run.config.apiKey, query),
        'client-type': CLIENT_TYPE,
      },
    })
    const body = checkShape(schema, response.json, `Unleashed ${resource} page ${page}`)
    await book(body.Items)
    if (page >= body.Pagination.NumberOfPages) return
  }
  throw new Error(`Unleashed ${resource} has more than ${MAX_PAGES} pages; stopped`)
}
