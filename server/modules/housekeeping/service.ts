import type { Kysely } from 'kysely'
import type { Tables } from '../../platform/db/schema.ts'

const HOUR = 3_600_000

/**
 * How long a webhook delivery id is remembered. A delivery is accepted only while its trigger time
 * is within 6 hours of the server's clock (FRESHNESS_WINDOW_MS in integrations/shopify/webhook.ts),
 * so a replay can pass that check until 12 hours after the first receipt at most; the id has to
 * outlive that. A week leaves room for clock trouble and for looking into a problem.
 */
export const WEBHOOK_DELIVERY_RETENTION_MS = 7 * 24 * HOUR

export interface Pruned {
  idempotencyKeys: number
  webhookDeliveries: number
}

/**
 * Deletes idempotency keys created more than `idempotencyHours` before `now` (a retry after that
 * is a new request) and webhook deliveries received more than WEBHOOK_DELIVERY_RETENTION_MS ago.
 */
export async function pruneRetained(
  db: Kysely<Tables>,
  now: number,
  idempotencyHours: number,
): Promise<Pruned> {
  const keys = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', new Date(now - idempotencyHours * HOUR))
    .executeTakeFirst()
  const deliveries = await db
    .deleteFrom('webhook_deliveries')
    .where('received_at', '<', new Date(now - WEBHOOK_DELIVERY_RETENTION_MS))
    .executeTakeFirst()
  return {
    idempotencyKeys: Number(keys.numDeletedRows),
    webhookDeliveries: Number(deliveries.numDeletedRows),
  }
}
