import type { Selectable } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Db } from '../../platform/db/database.ts'
import type { ProductsTable } from '../../platform/db/schema.ts'
import { AppError, notFound } from '../../platform/http/errors.ts'
import {
  PRODUCT_DEFAULTS,
  type Price,
  type Product,
  type ProductCreate,
  type ProductPatch,
} from './schemas.ts'
import { auditCreate, auditUpdate, type Change, requireMarkets, type Tx, write } from './writes.ts'

/**
 * Products (finished goods and the components they are made of) with one price per market.
 * Products are never deleted, they are deactivated (`active: false`).
 */

type Executor = Db | Tx

const presentProduct = (row: Selectable<ProductsTable>, prices: Price[]): Product => ({
  sku: row.sku,
  name: row.name,
  kind: row.kind,
  unit: row.unit,
  unitCost: Number(row.unit_cost),
  leadTimeDays: row.lead_time_days,
  moq: row.moq,
  batchSize: row.batch_size,
  serviceLevel: Number(row.service_level),
  active: row.active,
  prices,
})

const productRow = (product: Product) => ({
  sku: product.sku,
  name: product.name,
  kind: product.kind,
  unit: product.unit,
  unit_cost: product.unitCost,
  lead_time_days: product.leadTimeDays,
  moq: product.moq,
  batch_size: product.batchSize,
  service_level: product.serviceLevel,
  active: product.active,
})

/** Prices of the given products by SKU, each list ordered by market. */
async function pricesOf(db: Executor, skus: string[]): Promise<Map<string, Price[]>> {
  const bySku = new Map<string, Price[]>(skus.map((sku) => [sku, []]))
  if (skus.length === 0) return bySku
  const rows = await db
    .selectFrom('product_prices')
    .selectAll()
    .where('sku', 'in', skus)
    .orderBy('sku')
    .orderBy('market_code')
    .execute()
  for (const row of rows) bySku.get(row.sku)?.push({ marketCode: row.market_code, price: Number(row.price) })
  return bySku
}

export interface ProductFilter {
  kind?: Product['kind']
  active?: boolean
  /** Part of the name or SKU, any case. */
  q?: string
}

/** One page of products ordered by SKU; `nextCursor` is the SKU to continue after. */
export async function listProducts(
  ctx: AppContext,
  filter: ProductFilter,
  page: { limit: number; cursor?: string },
): Promise<{ items: Product[]; nextCursor: string | null }> {
  let query = ctx.db.selectFrom('products').selectAll()
  if (filter.kind) query = query.where('kind', '=', filter.kind)
  if (filter.active !== undefined) query = query.where('active', '=', filter.active)
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('sku', 'ilike', pattern)]))
  }
  if (page.cursor) query = query.where('sku', '>', page.cursor)
  const rows = await query
    .orderBy('sku')
    .limit(page.limit + 1)
    .execute()
  const pageRows = rows.slice(0, page.limit)
  const prices = await pricesOf(
    ctx.db,
    pageRows.map((row) => row.sku),
  )
  return {
    items: pageRows.map((row) => presentProduct(row, prices.get(row.sku) ?? [])),
    nextCursor: rows.length > page.limit ? pageRows.at(-1)!.sku : null,
  }
}

async function findProduct(db: Executor, sku: string, lock = false): Promise<Product | undefined> {
  let query = db.selectFrom('products').selectAll().where('sku', '=', sku)
  if (lock) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  if (!row) return undefined
  return presentProduct(row, (await pricesOf(db, [sku])).get(sku) ?? [])
}

export async function getProduct(ctx: AppContext, sku: string): Promise<Product> {
  const product = await findProduct(ctx.db, sku)
  if (!product) throw notFound(`No product ${sku}`)
  return product
}

/** 400 DUPLICATE_MARKET when a market has two prices. */
function checkPrices(prices: Price[]): void {
  const seen = new Set<string>()
  for (const { marketCode } of prices) {
    if (seen.has(marketCode))
      throw new AppError(400, 'DUPLICATE_MARKET', `Two prices for market ${marketCode}`, { marketCode })
    seen.add(marketCode)
  }
}

async function replacePrices(tx: Tx, sku: string, prices: Price[]): Promise<void> {
  await requireMarkets(
    tx,
    prices.map((p) => p.marketCode),
  )
  await tx.deleteFrom('product_prices').where('sku', '=', sku).execute()
  if (prices.length === 0) return
  await tx
    .insertInto('product_prices')
    .values(prices.map((p) => ({ sku, market_code: p.marketCode, price: p.price })))
    .execute()
}

export function createProduct(ctx: AppContext, input: ProductCreate, change: Change): Promise<Product> {
  const product: Product = { ...PRODUCT_DEFAULTS, ...input }
  checkPrices(product.prices)
  return write(ctx, `Product ${product.sku} already exists`, async (tx) => {
    await tx.insertInto('products').values(productRow(product)).execute()
    await replacePrices(tx, product.sku, product.prices)
    const created = (await findProduct(tx, product.sku))!
    await auditCreate(tx, { type: 'product', id: product.sku }, created, change)
    return created
  })
}

/**
 * Updates the given fields; `prices`, when given, replaces all prices. A product's kind cannot
 * change while a bill of materials depends on it (409 PRODUCT_KIND_IN_USE).
 */
export function updateProduct(
  ctx: AppContext,
  sku: string,
  patch: ProductPatch,
  change: Change,
): Promise<Product> {
  if (patch.prices) checkPrices(patch.prices)
  return write(ctx, `Product ${sku} already exists`, async (tx) => {
    const before = await findProduct(tx, sku, true)
    if (!before) throw notFound(`No product ${sku}`)
    if (patch.kind && patch.kind !== before.kind) await checkKindChange(tx, before)
    const merged: Product = { ...before, ...patch, sku }
    await tx.updateTable('products').set(productRow(merged)).where('sku', '=', sku).execute()
    if (patch.prices) await replacePrices(tx, sku, patch.prices)
    const after = (await findProduct(tx, sku))!
    await auditUpdate(tx, { type: 'product', id: sku }, before, after, change)
    return after
  })
}

/** A finished product with a bill of materials, or a component used in one, keeps its kind. */
async function checkKindChange(tx: Tx, product: Product): Promise<void> {
  const column = product.kind === 'finished' ? 'product_sku' : 'component_sku'
  const used = await tx
    .selectFrom('bom_lines')
    .select('product_sku')
    .where(column, '=', product.sku)
    .executeTakeFirst()
  if (!used) return
  const why =
    product.kind === 'finished' ? 'it has a bill of materials' : `it is a component of ${used.product_sku}`
  throw new AppError(409, 'PRODUCT_KIND_IN_USE', `Product ${product.sku} must stay ${product.kind}: ${why}`)
}
