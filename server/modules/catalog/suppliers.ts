import type { Selectable } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { SuppliersTable } from '../../platform/db/schema.ts'
import { notFound } from '../../platform/http/errors.ts'
import { SUPPLIER_DEFAULTS, type Supplier, type SupplierCreate } from './schemas.ts'
import { auditCreate, auditUpdate, type Change, write } from './writes.ts'

/** Suppliers of components (purchase orders refer to them, so they are edited, never deleted). */

const presentSupplier = (row: Selectable<SuppliersTable>): Supplier => ({
  id: row.id,
  name: row.name,
  email: row.email,
  currency: row.currency,
  leadTimeDays: row.lead_time_days,
  paymentDays: row.payment_days,
})

const supplierRow = (supplier: Supplier) => ({
  id: supplier.id,
  name: supplier.name,
  email: supplier.email,
  currency: supplier.currency,
  lead_time_days: supplier.leadTimeDays,
  payment_days: supplier.paymentDays,
})

export async function listSuppliers(ctx: AppContext): Promise<Supplier[]> {
  const rows = await ctx.db.selectFrom('suppliers').selectAll().orderBy('name').orderBy('id').execute()
  return rows.map(presentSupplier)
}

export async function getSupplier(ctx: AppContext, id: string): Promise<Supplier> {
  const row = await ctx.db.selectFrom('suppliers').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound(`No supplier ${id}`)
  return presentSupplier(row)
}

export function createSupplier(ctx: AppContext, input: SupplierCreate, change: Change): Promise<Supplier> {
  const supplier = { ...SUPPLIER_DEFAULTS, ...input }
  return write(ctx, `Supplier ${supplier.id} already exists`, async (tx) => {
    const row = await tx
      .insertInto('suppliers')
      .values(supplierRow(supplier))
      .returningAll()
      .executeTakeFirstOrThrow()
    const created = presentSupplier(row)
    await auditCreate(tx, { type: 'supplier', id: supplier.id }, created, change)
    return created
  })
}

export function updateSupplier(
  ctx: AppContext,
  id: string,
  patch: Partial<Supplier>,
  change: Change,
): Promise<Supplier> {
  return write(ctx, `Supplier ${id} already exists`, async (tx) => {
    const current = await tx
      .selectFrom('suppliers')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    if (!current) throw notFound(`No supplier ${id}`)
    const before = presentSupplier(current)
    const row = await tx
      .updateTable('suppliers')
      .set(supplierRow({ ...before, ...patch, id }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const after = presentSupplier(row)
    await auditUpdate(tx, { type: 'supplier', id }, before, after, change)
    return after
  })
}
