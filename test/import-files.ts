import { Readable } from 'node:stream'

/**
 * Generated CSV files for import tests and the import benchmark, produced row by row (a file
 * of a million rows is never built in memory). Orders use the demo catalog (test/business.ts)
 * and are dated 2026-01-01 to 2026-03-31, after its FX rates start.
 */

const CHANNELS = ['shopify-uk', 'shopify-eu', 'shopify-usa', 'amazon-uk', 'amazon-usa', 'wholesale']
const SKUS = ['GABA-RED', 'GABA-BLACK', 'GABA-GOLD']
const STATUSES = ['pending', 'paid', 'paid', 'fulfilled', 'fulfilled', 'fulfilled', 'cancelled', 'refunded']
const START = Date.UTC(2026, 0, 1)
const SPAN = 90 * 86_400_000

export const ORDER_HEADER = 'external_id,channel,placed_at,status,sku,quantity,unit_price'

/** A small deterministic generator, so a run can be repeated. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
}

/** Data rows of `rows` order lines (orders of 1 to 3 lines), without the header. */
export function* orderLines(
  rows: number,
  options: { seed?: number; prefix?: string } = {},
): Generator<string> {
  const next = random(options.seed ?? 1)
  const prefix = options.prefix ?? 'GEN'
  let written = 0
  for (let order = 0; written < rows; order++) {
    const channel = CHANNELS[Math.floor(next() * CHANNELS.length)]
    const placedAt = new Date(START + Math.floor(next() * SPAN)).toISOString()
    const status = STATUSES[Math.floor(next() * STATUSES.length)]
    const lines = Math.min(1 + Math.floor(next() * 3), rows - written)
    for (let line = 0; line < lines; line++) {
      const sku = SKUS[(order + line) % SKUS.length]
      const price = next() < 0.2 ? (10 + Math.floor(next() * 4000) / 100).toFixed(2) : ''
      yield `${prefix}-${order},${channel},${placedAt},${status},${sku},${1 + Math.floor(next() * 4)},${price}`
      written += 1
    }
  }
}

/** A whole orders file as a stream: the header, then the rows in chunks of about 64 KB. */
export function orderFile(rows: number, options: { seed?: number; prefix?: string } = {}): Readable {
  return Readable.from(
    (function* () {
      let chunk = `${ORDER_HEADER}\n`
      for (const line of orderLines(rows, options)) {
        chunk += `${line}\n`
        if (chunk.length >= 65_536) {
          yield chunk
          chunk = ''
        }
      }
      if (chunk) yield chunk
    })(),
  )
}
