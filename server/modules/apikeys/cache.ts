import type { AppContext } from '../../context.ts'
import type { UserRole } from '../../platform/http/access.ts'

/**
 * Known API keys for a few seconds, so a request with a key costs no query. A revoked or
 * rotated key leaves every replica's cache at once through the bus; a revocation that cannot
 * reach a replica (the CLI without Redis, Redis down) takes effect there within `TTL_MS`.
 * Unknown keys are never cached: a guess always goes to the database.
 */
export const TTL_MS = 5_000
const MAX_ENTRIES = 10_000
const CHANNEL = 'apikeys.changed'

export interface KnownKey {
  id: string
  name: string
  role: UserRole
  expires_at: Date | string | null
  revoked_at: Date | string | null
  last_used_at: Date | string | null
}

const caches = new WeakMap<AppContext, Map<string, { key: Promise<KnownKey | undefined>; until: number }>>()

function cacheOf(ctx: AppContext) {
  let cache = caches.get(ctx)
  if (!cache) {
    cache = new Map()
    caches.set(ctx, cache)
  }
  return cache
}

/**
 * The key with this hash, from the cache when it was read in the last `TTL_MS`; requests that
 * arrive while it is being read share that read.
 */
export function knownKey(
  ctx: AppContext,
  hash: string,
  read: () => Promise<KnownKey | undefined>,
): Promise<KnownKey | undefined> {
  const cache = cacheOf(ctx)
  const now = ctx.clock.ms()
  const hit = cache.get(hash)
  if (hit && hit.until > now) return hit.key
  if (cache.size >= MAX_ENTRIES) cache.clear()
  const key = read()
  cache.set(hash, { key, until: now + TTL_MS })
  const forget = () => {
    if (cache.get(hash)?.key === key) cache.delete(hash)
  }
  key.then((found) => {
    if (!found) forget() // unknown keys are not kept
  }, forget)
  return key
}

/** After a key changed (revoked, rotated): forget every cached key here and on every replica. */
export async function keysChanged(ctx: AppContext): Promise<void> {
  cacheOf(ctx).clear()
  await ctx.bus.publish(CHANNEL, { at: ctx.clock.ms() })
}

export function watchKeys(ctx: AppContext): () => void {
  return ctx.bus.subscribe(CHANNEL, () => cacheOf(ctx).clear())
}
