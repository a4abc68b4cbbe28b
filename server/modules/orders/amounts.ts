import { randomBytes } from 'node:crypto'
import { round } from '../../platform/numbers.ts'
import type { RollupLine } from './rollups.ts'

/** A new order's id. */
export const newOrderId = () => `ord_${randomBytes(9).toString('base64url')}`

/** `count` new order ids, from one read of the random source (bulk imports). */
export function newOrderIds(count: number): string[] {
  const bytes = randomBytes(9 * count)
  return Array.from({ length: count }, (_, i) => `ord_${bytes.toString('base64url', 9 * i, 9 * i + 9)}`)
}

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
