import { randomBytes } from 'node:crypto'
import { round } from '../../platform/numbers.ts'
import type { RollupLine } from './rollups.ts'

/** Base 32 digits in ascending order in every collation: lower-case only, digits first. */
const DIGITS = '0123456789abcdefghjkmnpqrstvwxyz'

function base32(value: number, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) {
    out = DIGITS[value % 32]! + out
    value = Math.floor(value / 32)
  }
  return out
}

/**
 * `count` new order ids: `ord_`, the time in ms (10 digits) and a random 40-bit number (8
 * digits), counted up from one random start per call. Ids made later sort later, so a batch's
 * rows go to the right-hand end of every index keyed by order id (the primary keys of orders,
 * lines and reservations) instead of all over it: a tenth to a quarter less database work
 * per imported order (bench/README.md). Two ids collide only if made in the same millisecond
 * from overlapping ranges of 2^40, which the primary key would refuse.
 */
export function newOrderIds(count: number, nowMs: number): string[] {
  const time = base32(nowMs, 10)
  const start = randomBytes(5).readUIntBE(0, 5)
  return Array.from({ length: count }, (_, i) => `ord_${time}${base32((start + i) % 2 ** 40, 8)}`)
}

/** A new order's id. */
export const newOrderId = (nowMs: number) => newOrderIds(1, nowMs)[0]!

export interface OrderAmounts {
  subtotal: number
  tax: number
  shipping: number
  total: number
  totalBase: number
}

/** The largest amount an order's money columns hold (`numeric(14,2)`). */
export const MAX_ORDER_AMOUNT = 999_999_999_999.99

/**
 * An order's money, as every way of booking one computes it: the subtotal of its priced lines,
 * tax at the market's rate unless given, shipping 0 unless given, each rounded to cents, and
 * the total in the base currency at the order's FX rate.
 */
export function orderAmounts(
  lines: readonly RollupLine[],
  taxRate: number,
  fxRate: number,
  given: { tax?: number; shipping?: number },
): OrderAmounts {
  const subtotal = round(lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0))
  const tax = given.tax ?? round(subtotal * taxRate)
  const shipping = given.shipping ?? 0
  const total = round(subtotal + tax + shipping)
  return { subtotal, tax, shipping, total, totalBase: round(total * fxRate) }
}
