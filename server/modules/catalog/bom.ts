import type { AppContext } from '../../context.ts'
import type { Db } from '../../platform/db/database.ts'
import { AppError, notFound } from '../../platform/http/errors.ts'
import type { Bom, BomLineInput } from './schemas.ts'
import { auditUpdate, type Change, type Tx, unknownReference, write } from './writes.ts'

/**
 * Bills of materials: what one unit of a finished product is made of. Only finished products
 * have one and it lists only components, so a bill can never contain itself, directly or not.
 */

async function bomLines(db: Db | Tx, sku: string): Promise<Bom['lines']> {
  const rows = await db
    .selectFrom('bom_lines')
    .innerJoin('products', 'products.sku', 'bom_lines.component_sku')
    .select(['bom_lines.component_sku', 'products.name', 'products.unit', 'bom_lines.quantity'])
    .where('bom_lines.product_sku', '=', sku)
    .orderBy('bom_lines.component_sku')
    .execute()
  return rows.map((row) => ({
    componentSku: row.component_sku,
    name: row.name,
    unit: row.unit,
    quantity: Number(row.quantity),
  }))
}

export async function getBom(ctx: AppContext, sku: string): Promise<Bom> {
  const product = await ctx.db.selectFrom('products').select('sku').where('sku', '=', sku).executeTakeFirst()
  if (!product) throw notFound(`No product ${sku}`)
  return { sku, lines: await bomLines(ctx.db, sku) }
}

/** Checks of the lines alone: one line per component, and not the product itself. */
function checkLines(sku: string, lines: BomLineInput[]): void {
  const seen = new Set<string>()
  for (const { componentSku } of lines) {
    if (componentSku === sku)
      throw unknownReference('BOM_SELF_REFERENCE', `Product ${sku} cannot be a component of itself`)
    if (seen.has(componentSku))
      throw new AppError(400, 'DUPLICATE_COMPONENT', `Component ${componentSku} is listed twice`, {
        componentSku,
      })
    seen.add(componentSku)
  }
}

/** The referenced products exist and are components; locked so their kind cannot change meanwhile. */
async function requireComponents(tx: Tx, skus: string[]): Promise<void> {
  if (skus.length === 0) return
  const found = await tx
    .selectFrom('products')
    .select(['sku', 'kind'])
    .where('sku', 'in', skus)
    .forShare()
    .execute()
  const kinds = new Map(found.map((row) => [row.sku, row.kind]))
  const missing = skus.filter((sku) => !kinds.has(sku))
  if (missing.length > 0)
    throw unknownReference('UNKNOWN_COMPONENT', `No product ${missing.join(', ')}`, { skus: missing })
  const finished = skus.filter((sku) => kinds.get(sku) !== 'component')
  if (finished.length > 0)
    throw unknownReference('NOT_A_COMPONENT', `Not a component: ${finished.join(', ')}`, { skus: finished })
}

/** Replaces a finished product's bill of materials with `lines` (empty clears it). */
export function replaceBom(
  ctx: AppContext,
  sku: string,
  lines: BomLineInput[],
  change: Change,
): Promise<Bom> {
  checkLines(sku, lines)
  return write(ctx, `Bill of materials of ${sku} changed meanwhile`, async (tx) => {
    const product = await tx
      .selectFrom('products')
      .select('kind')
      .where('sku', '=', sku)
      .forUpdate()
      .executeTakeFirst()
    if (!product) throw notFound(`No product ${sku}`)
    if (product.kind !== 'finished')
      throw unknownReference(
        'NOT_A_FINISHED_PRODUCT',
        `Product ${sku} is a component; only finished products have a bill of materials`,
      )
    await requireComponents(
      tx,
      lines.map((line) => line.componentSku),
    )
    const before = await bomLines(tx, sku)
    await tx.deleteFrom('bom_lines').where('product_sku', '=', sku).execute()
    if (lines.length > 0)
      await tx
        .insertInto('bom_lines')
        .values(
          lines.map((line) => ({
            product_sku: sku,
            component_sku: line.componentSku,
            quantity: line.quantity,
          })),
        )
        .execute()
    const after = await bomLines(tx, sku)
    const shape = (bom: Bom['lines']) => bom.map(({ componentSku, quantity }) => ({ componentSku, quantity }))
    await auditUpdate(tx, { type: 'bom', id: sku }, { lines: shape(before) }, { lines: shape(after) }, change)
    return { sku, lines: after }
  })
}
