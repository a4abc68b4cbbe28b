import type { UnleashedSettings } from '../../../config-connectors.ts'
import type { AppContext } from '../../../context.ts'
import { parseJsonDate } from '../../../platform/external-json.ts'

/** What one run read, booked and passed over, and why things were passed over (logged once). */
export class Tally {
  fetched = 0
  written = 0
  skipped = 0
  /** Latest LastModifiedOn seen, the next run's modifiedSince. */
  latest: Date | undefined
  readonly reasons = new Map<string, Set<string>>()

  skip(reason: string, what: string): void {
    this.skipped++
    const set = this.reasons.get(reason) ?? new Set<string>()
    set.add(what)
    this.reasons.set(reason, set)
  }

  seen(lastModified: string | null | undefined): void {
    const at = parseJsonDate(lastModified)
    if (at && (!this.latest || at > this.latest)) this.latest = at
  }

  /** One line per reason, for the run's status and the log. */
  notes(ctx: AppContext, resource: string): string[] {
    return [...this.reasons].map(([reason, items]) => {
      ctx.logger.warn(
        { connector: 'unleashed', resource, reason, count: items.size, items: [...items].slice(0, 20) },
        `unleashed: ${resource} skipped (${reason})`,
      )
      const shown = [...items].slice(0, 5).join('; ')
      return `${resource} skipped, ${reason} (${items.size}): ${shown}${items.size > 5 ? '; …' : ''}`
    })
  }
}

export const ACTOR = 'system:unleashed'

/** Location codes that exist, keyed by code. */
export async function knownLocations(
  ctx: AppContext,
): Promise<Map<string, 'warehouse' | 'factory' | 'fulfilment'>> {
  const rows = await ctx.db.selectFrom('locations').select(['code', 'kind']).execute()
  return new Map(rows.map((row) => [row.code, row.kind]))
}

/** The location of an Unleashed warehouse: UNLEASHED_WAREHOUSE_LOCATIONS, else the location with its code. */
export function locationOf(
  settings: UnleashedSettings,
  locations: ReadonlyMap<string, unknown>,
  warehouseCode: string | null | undefined,
): string | undefined {
  if (!warehouseCode) return undefined
  const code = settings.warehouseLocations.get(warehouseCode.trim()) ?? warehouseCode.trim()
  return locations.has(code) ? code : undefined
}
