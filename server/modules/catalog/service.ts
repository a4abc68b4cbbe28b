import type { Selectable } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { ChannelsTable, LocationsTable, MarketsTable } from '../../platform/db/schema.ts'
import { notFound } from '../../platform/http/errors.ts'
import type { Channel, Location, Market } from './schemas.ts'
import { auditCreate, auditUpdate, type Change, requireLocation, requireMarkets, write } from './writes.ts'

/**
 * Where the business sells and ships from: markets, locations and sales channels. Rows are never
 * deleted (orders and stock refer to them); they are edited. An update merges the change into
 * the current values and writes the whole row, as do suppliers and production lines.
 */

// Markets

const presentMarket = (row: Selectable<MarketsTable>): Market => ({
  code: row.code,
  name: row.name,
  currency: row.currency,
  taxRate: Number(row.tax_rate),
  shippingDays: row.shipping_days,
})

const marketRow = (market: Market) => ({
  code: market.code,
  name: market.name,
  currency: market.currency,
  tax_rate: market.taxRate,
  shipping_days: market.shippingDays,
})

export async function listMarkets(ctx: AppContext): Promise<Market[]> {
  const rows = await ctx.db.selectFrom('markets').selectAll().orderBy('code').execute()
  return rows.map(presentMarket)
}

export async function getMarket(ctx: AppContext, code: string): Promise<Market> {
  const row = await ctx.db.selectFrom('markets').selectAll().where('code', '=', code).executeTakeFirst()
  if (!row) throw notFound(`No market ${code}`)
  return presentMarket(row)
}

export function createMarket(ctx: AppContext, market: Market, change: Change): Promise<Market> {
  return write(ctx, `Market ${market.code} already exists`, async (tx) => {
    const row = await tx
      .insertInto('markets')
      .values(marketRow(market))
      .returningAll()
      .executeTakeFirstOrThrow()
    const created = presentMarket(row)
    await auditCreate(tx, { type: 'market', id: market.code }, created, change)
    return created
  })
}

export function updateMarket(
  ctx: AppContext,
  code: string,
  patch: Partial<Market>,
  change: Change,
): Promise<Market> {
  return write(ctx, `Market ${code} already exists`, async (tx) => {
    const current = await tx
      .selectFrom('markets')
      .selectAll()
      .where('code', '=', code)
      .forUpdate()
      .executeTakeFirst()
    if (!current) throw notFound(`No market ${code}`)
    const before = presentMarket(current)
    const row = await tx
      .updateTable('markets')
      .set(marketRow({ ...before, ...patch, code }))
      .where('code', '=', code)
      .returningAll()
      .executeTakeFirstOrThrow()
    const after = presentMarket(row)
    await auditUpdate(tx, { type: 'market', id: code }, before, after, change)
    return after
  })
}

// Locations

const presentLocation = (row: Selectable<LocationsTable>): Location => ({
  code: row.code,
  name: row.name,
  kind: row.kind,
})

export async function listLocations(
  ctx: AppContext,
  filter: { kind?: Location['kind'] },
): Promise<Location[]> {
  let query = ctx.db.selectFrom('locations').selectAll()
  if (filter.kind) query = query.where('kind', '=', filter.kind)
  return (await query.orderBy('code').execute()).map(presentLocation)
}

export async function getLocation(ctx: AppContext, code: string): Promise<Location> {
  const row = await ctx.db.selectFrom('locations').selectAll().where('code', '=', code).executeTakeFirst()
  if (!row) throw notFound(`No location ${code}`)
  return presentLocation(row)
}

export function createLocation(ctx: AppContext, location: Location, change: Change): Promise<Location> {
  return write(ctx, `Location ${location.code} already exists`, async (tx) => {
    const row = await tx.insertInto('locations').values(location).returningAll().executeTakeFirstOrThrow()
    const created = presentLocation(row)
    await auditCreate(tx, { type: 'location', id: location.code }, created, change)
    return created
  })
}

export function updateLocation(
  ctx: AppContext,
  code: string,
  patch: Partial<Location>,
  change: Change,
): Promise<Location> {
  return write(ctx, `Location ${code} already exists`, async (tx) => {
    const current = await tx
      .selectFrom('locations')
      .selectAll()
      .where('code', '=', code)
      .forUpdate()
      .executeTakeFirst()
    if (!current) throw notFound(`No location ${code}`)
    const before = presentLocation(current)
    const row = await tx
      .updateTable('locations')
      .set({ ...before, ...patch, code })
      .where('code', '=', code)
      .returningAll()
      .executeTakeFirstOrThrow()
    const after = presentLocation(row)
    await auditUpdate(tx, { type: 'location', id: code }, before, after, change)
    return after
  })
}

// Channels

const presentChannel = (row: Selectable<ChannelsTable>): Channel => ({
  code: row.code,
  name: row.name,
  kind: row.kind,
  marketCode: row.market_code,
  locationCode: row.location_code,
  feePct: Number(row.fee_pct),
  payoutDays: row.payout_days,
})

const channelRow = (channel: Channel) => ({
  code: channel.code,
  name: channel.name,
  kind: channel.kind,
  market_code: channel.marketCode,
  location_code: channel.locationCode,
  fee_pct: channel.feePct,
  payout_days: channel.payoutDays,
})

export async function listChannels(
  ctx: AppContext,
  filter: { kind?: Channel['kind']; marketCode?: string },
): Promise<Channel[]> {
  let query = ctx.db.selectFrom('channels').selectAll()
  if (filter.kind) query = query.where('kind', '=', filter.kind)
  if (filter.marketCode) query = query.where('market_code', '=', filter.marketCode)
  return (await query.orderBy('code').execute()).map(presentChannel)
}

export async function getChannel(ctx: AppContext, code: string): Promise<Channel> {
  const row = await ctx.db.selectFrom('channels').selectAll().where('code', '=', code).executeTakeFirst()
  if (!row) throw notFound(`No channel ${code}`)
  return presentChannel(row)
}

export function createChannel(ctx: AppContext, channel: Channel, change: Change): Promise<Channel> {
  return write(ctx, `Channel ${channel.code} already exists`, async (tx) => {
    await requireMarkets(tx, [channel.marketCode])
    await requireLocation(tx, channel.locationCode)
    const row = await tx
      .insertInto('channels')
      .values(channelRow(channel))
      .returningAll()
      .executeTakeFirstOrThrow()
    const created = presentChannel(row)
    await auditCreate(tx, { type: 'channel', id: channel.code }, created, change)
    return created
  })
}

export function updateChannel(
  ctx: AppContext,
  code: string,
  patch: Partial<Channel>,
  change: Change,
): Promise<Channel> {
  return write(ctx, `Channel ${code} already exists`, async (tx) => {
    const current = await tx
      .selectFrom('channels')
      .selectAll()
      .where('code', '=', code)
      .forUpdate()
      .executeTakeFirst()
    if (!current) throw notFound(`No channel ${code}`)
    if (patch.marketCode) await requireMarkets(tx, [patch.marketCode])
    if (patch.locationCode) await requireLocation(tx, patch.locationCode)
    const before = presentChannel(current)
    const row = await tx
      .updateTable('channels')
      .set(channelRow({ ...before, ...patch, code }))
      .where('code', '=', code)
      .returningAll()
      .executeTakeFirstOrThrow()
    const after = presentChannel(row)
    await auditUpdate(tx, { type: 'channel', id: code }, before, after, change)
    return after
  })
}
