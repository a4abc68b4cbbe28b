import { Redis } from 'ioredis'
import type { Logger } from '../observability/logger.ts'

/**
 * A Redis connection that never crashes the process: errors are logged once per outage,
 * commands fail fast while disconnected (no offline queue) and it reconnects on its own.
 */
export function connectRedis(
  url: string,
  logger: Logger,
  name: string,
  mode: 'commands' | 'subscriber' = 'commands',
): Redis {
  const redis = new Redis(url, {
    connectionName: `sentia-${name}`,
    // A subscriber queues its SUBSCRIBE commands until connected; command connections fail fast.
    ...(mode === 'subscriber'
      ? { enableOfflineQueue: true, maxRetriesPerRequest: null }
      : { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000 }),
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 250, 2000),
  })
  let down = false
  redis.on('error', (error) => {
    if (down) return
    down = true
    logger.warn({ err: { message: error.message }, connection: name }, 'redis unavailable; retrying')
  })
  redis.on('ready', () => {
    if (down) logger.info({ connection: name }, 'redis reconnected')
    down = false
  })
  return redis
}
