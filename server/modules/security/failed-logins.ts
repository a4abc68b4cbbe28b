import type { AppContext } from '../../context.ts'
import { maybeAutoBlock } from './blocklist.ts'
import { recentFailedLogins, recordSecurityEvent, type SecurityEventInput } from './events.ts'

/**
 * Called by sign-in on every failure: records a `login_failed` event and blocks the address
 * for a while once it has failed AUTO_BLOCK_FAILED_LOGINS times (across accounts) within
 * AUTO_BLOCK_WINDOW_MINUTES.
 */
export async function noteFailedLogin(
  ctx: AppContext,
  event: Omit<SecurityEventInput, 'kind'> & { subject: string },
): Promise<void> {
  await recordSecurityEvent(ctx, { ...event, kind: 'login_failed' })
  if (!event.ip) return
  const failures = await recentFailedLogins(ctx, event.ip, ctx.config.security.autoBlock.windowMinutes)
  await maybeAutoBlock(ctx, event.ip, failures)
}
