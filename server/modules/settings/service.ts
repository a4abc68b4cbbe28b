import type { AppContext } from '../../context.ts'
import { type Actor, actorLabel, type RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'

/**
 * Settings an admin changes at run time. Each has a default from the environment; a stored
 * value overrides it. Every replica keeps them in memory, refreshed when one announces a change
 * on the bus and at least every 30 s.
 */
export interface Settings {
  requireTwoFactorForAdmins: boolean
}

export const SETTINGS_CHANNEL = 'settings.changed'
const MAX_AGE_MS = 30_000

const defaults = (ctx: AppContext): Settings => ({
  requireTwoFactorForAdmins: ctx.config.auth.requireTwoFactorForAdmins,
})

const cache = new WeakMap<AppContext, { settings: Settings; at: number }>()

export async function getSettings(ctx: AppContext): Promise<Settings> {
  const cached = cache.get(ctx)
  if (cached && ctx.clock.ms() - cached.at < MAX_AGE_MS) return cached.settings
  const rows = await ctx.db.selectFrom('settings').select(['key', 'value']).execute()
  const settings = { ...defaults(ctx) } as Record<string, unknown>
  for (const row of rows) if (row.key in settings) settings[row.key] = row.value
  cache.set(ctx, { settings: settings as unknown as Settings, at: ctx.clock.ms() })
  return settings as unknown as Settings
}

export async function updateSettings(
  ctx: AppContext,
  changes: Partial<Settings>,
  actor: Actor,
  request?: RequestFacts,
): Promise<Settings> {
  const before = await getSettings(ctx)
  const by = actorLabel(actor)
  await ctx.db.transaction().execute(async (tx) => {
    for (const [key, value] of Object.entries(changes)) {
      await tx
        .insertInto('settings')
        .values({ key, value: JSON.stringify(value), updated_at: ctx.clock.now(), updated_by: by })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ value: JSON.stringify(value), updated_at: ctx.clock.now(), updated_by: by }),
        )
        .execute()
    }
    const oldValues = Object.fromEntries(
      Object.keys(changes).map((key) => [key, before[key as keyof Settings]]),
    )
    await recordAudit(tx, {
      actor,
      action: 'settings_change',
      target: { type: 'settings', id: 'app' },
      request,
      oldValues,
      newValues: changes,
    })
  })
  cache.delete(ctx)
  await ctx.bus.publish(SETTINGS_CHANNEL, { at: ctx.clock.ms() })
  return getSettings(ctx)
}

export function watchSettings(ctx: AppContext): () => void {
  return ctx.bus.subscribe(SETTINGS_CHANNEL, () => cache.delete(ctx))
}
