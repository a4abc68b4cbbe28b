import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeTestContext, createTestContext } from '../../../test/app.ts'
import type { AppContext } from '../../context.ts'
import { migrations } from './migrations/index.ts'
import { currentVersion, migrateDown, migrateUp, migrationStatus } from './migrator.ts'

async function tableExists(ctx: AppContext, name: string): Promise<boolean> {
  const result = await sql<{ found: string | null }>`select to_regclass(${name})::text as found`.execute(
    ctx.db,
  )
  return result.rows[0]?.found != null
}

describe('migrator', () => {
  let ctx: AppContext
  beforeAll(async () => {
    ctx = await createTestContext({ start: false })
  })
  afterAll(() => closeTestContext(ctx))

  it('reports every migration as applied on a migrated database', async () => {
    const status = await migrationStatus(ctx.db)
    expect(status.map((m) => m.name)).toEqual(Object.keys(migrations))
    expect(status.every((m) => m.executedAt instanceof Date)).toBe(true)
    expect(await currentVersion(ctx.db)).toBe(Object.keys(migrations).at(-1))
  })

  it('rolls every migration back and applies them again', async () => {
    const count = Object.keys(migrations).length
    const reverted = await migrateDown(ctx.db, count + 5)
    expect(reverted).toHaveLength(count)
    expect(await tableExists(ctx, 'instances')).toBe(false)
    expect(await currentVersion(ctx.db)).toBeNull()
    const applied = await migrateUp(ctx.db)
    expect(applied.map((r) => r.status)).toEqual(Array(count).fill('Success'))
    expect(await tableExists(ctx, 'instances')).toBe(true)
    expect(await migrateUp(ctx.db)).toEqual([])
  })

  it('leaves half of each page free in the tables updated in place on every order', async () => {
    const { rows } = await sql<{ name: string; options: string[] | null }>`
      select relname as name, reloptions as options from pg_class
      where relname in ('sales_hourly', 'sales_daily', 'order_totals_hourly', 'stock_levels', 'stock_daily', 'orders')
      order by relname`.execute(ctx.db)
    expect(Object.fromEntries(rows.map((r) => [r.name, r.options]))).toEqual({
      order_totals_hourly: ['fillfactor=50'],
      orders: null,
      sales_daily: ['fillfactor=50'],
      sales_hourly: ['fillfactor=50'],
      stock_daily: ['fillfactor=50'],
      stock_levels: ['fillfactor=50'],
    })
  })
})
