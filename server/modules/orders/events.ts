import { randomBytes } from 'node:crypto'
import type { AppContext } from '../../context.ts'

/** The bus channel for business changes (orders, stock, production); the UI's live stream reads it. */
export const BUSINESS_EVENTS = 'business.events'

export type BusinessEventType =
  | 'order.created'
  | 'order.status'
  | 'stock.changed'
  | 'production.changed'
  | 'maintenance.changed'
  | 'alert.changed'
  | 'incident.changed'
  | 'deployment.changed'

/** Event ids: time, this process, a counter; the same on every replica, so a client can resume anywhere. */
const PROCESS = randomBytes(4).toString('hex')
let sequence = 0

/** Published after the change has committed; a bus failure is logged, never fails the request. */
export async function publishBusinessEvent(
  ctx: AppContext,
  type: BusinessEventType,
  data: Record<string, unknown>,
): Promise<void> {
  try {
    sequence += 1
    const id = `${ctx.clock.ms().toString(36)}-${PROCESS}-${sequence.toString(36)}`
    await ctx.bus.publish(BUSINESS_EVENTS, { id, type, at: ctx.clock.now().toISOString(), data })
  } catch (error) {
    ctx.logger.warn({ err: error, type }, 'could not publish a business event')
  }
}
