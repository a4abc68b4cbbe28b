/**
 * Inventory policy (SPEC §3): safety stock, reorder point, EOQ, cover, ABC class, critical items and
 * reorder quantities. Pure functions: quantities in units, demand per day, lead times in days.
 */

const MS_PER_DAY = 86_400_000

// Acklam's rational approximation of the inverse normal CDF (relative error below 1.15e-9).
const A = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716]
const A5 = 2.506628277459239
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
]
const C5 = 2.938163982698783
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
const P_LOW = 0.02425

/** Evaluates a polynomial by Horner's rule, highest coefficient first. */
function horner(coefficients: readonly number[], x: number, last: number): number {
  return coefficients.reduce((sum, c) => sum * x + c, 0) * x + last
}

/** The z-score whose standard normal CDF is p (0.95 → 1.6449), by Acklam's algorithm. */
export function zForServiceLevel(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`service level must be strictly between 0 and 1, got ${p}`)
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p))
    return horner(C, q, C5) / horner(D, q, 1)
  }
  if (p > 1 - P_LOW) {
    const q = Math.sqrt(-2 * Math.log(1 - p))
    return -horner(C, q, C5) / horner(D, q, 1)
  }
  const q = p - 0.5
  const r = q * q
  return (horner(A, r, A5) * q) / horner(B, r, 1)
}

function requireFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`)
}

function requireNonNegative(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0))
    throw new RangeError(`${name} must be a number ≥ 0, got ${value}`)
}

/**
 * SS = z·σ_d·√L, with σ_d the standard deviation of daily demand and L the lead time in days.
 * Service levels below 50% would give a negative buffer, so they are rejected.
 */
export function safetyStock(input: { serviceLevel: number; demandSd: number; leadTimeDays: number }): number {
  if (!(input.serviceLevel >= 0.5 && input.serviceLevel < 1)) {
    throw new RangeError(`service level must be in [0.5, 1), got ${input.serviceLevel}`)
  }
  requireNonNegative('demandSd', input.demandSd)
  requireNonNegative('leadTimeDays', input.leadTimeDays)
  return zForServiceLevel(input.serviceLevel) * input.demandSd * Math.sqrt(input.leadTimeDays)
}

/** ROP = d̄·L + SS: the available stock at which a replenishment order is placed. */
export function reorderPoint(input: {
  meanDailyDemand: number
  leadTimeDays: number
  safetyStock: number
}): number {
  requireNonNegative('meanDailyDemand', input.meanDailyDemand)
  requireNonNegative('leadTimeDays', input.leadTimeDays)
  requireNonNegative('safetyStock', input.safetyStock)
  return input.meanDailyDemand * input.leadTimeDays + input.safetyStock
}

/** EOQ = √(2DS/h): the order size balancing ordering and holding costs; null when holding costs nothing. */
export function eoq(input: {
  annualDemand: number
  orderCost: number
  holdingCostPerUnitYear: number
}): number | null {
  requireNonNegative('annualDemand', input.annualDemand)
  requireNonNegative('orderCost', input.orderCost)
  if (Number.isNaN(input.holdingCostPerUnitYear))
    throw new RangeError('holdingCostPerUnitYear must be a number')
  if (input.holdingCostPerUnitYear <= 0) return null
  return Math.sqrt((2 * input.annualDemand * input.orderCost) / input.holdingCostPerUnitYear)
}

/** Days the available stock lasts at the mean daily demand (0 when none is available); null when no demand. */
export function daysOfCover(available: number, meanDailyDemand: number): number | null {
  requireFinite('available', available)
  requireNonNegative('meanDailyDemand', meanDailyDemand)
  if (meanDailyDemand === 0) return null
  return Math.max(0, available) / meanDailyDemand
}

/** The moment stock runs out at the mean daily demand, counted from `today`; null when there is no demand. */
export function projectedStockoutDate(available: number, meanDailyDemand: number, today: Date): Date | null {
  const cover = daysOfCover(available, meanDailyDemand)
  if (cover === null) return null
  return new Date(today.getTime() + Math.round(cover * MS_PER_DAY))
}

export type AbcClass = 'A' | 'B' | 'C'

export interface AbcItem {
  key: string
  revenue: number
  /** Share of total revenue of this item and every item ranked above it, 0–1. */
  cumulativeShare: number
  abcClass: AbcClass
}

/** Float noise must not push an item sitting exactly on 80% or 95% into the next class. */
const SHARE_EPSILON = 1e-9

/**
 * ABC class by cumulative revenue share, items ranked by revenue descending (ties by key).
 * The share counts the item itself: ≤ 0.80 → A, ≤ 0.95 → B, else C. The top item is always A, so a
 * single item carrying over 80% of revenue is A rather than B. With no revenue at all every item is C.
 */
export function abcClasses(items: readonly { key: string; revenue: number }[]): AbcItem[] {
  for (const item of items) requireNonNegative(`revenue of ${item.key}`, item.revenue)
  const ranked = [...items].sort(
    (a, b) => b.revenue - a.revenue || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  )
  const total = ranked.reduce((sum, item) => sum + item.revenue, 0)
  let cumulative = 0
  return ranked.map((item, rank) => {
    cumulative += item.revenue
    const share = total > 0 ? cumulative / total : 0
    const abcClass = total > 0 ? classFor(share, rank) : 'C'
    return { key: item.key, revenue: item.revenue, cumulativeShare: share, abcClass }
  })
}

function classFor(cumulativeShare: number, rank: number): AbcClass {
  if (rank === 0 || cumulativeShare <= 0.8 + SHARE_EPSILON) return 'A'
  return cumulativeShare <= 0.95 + SHARE_EPSILON ? 'B' : 'C'
}

export type CriticalReason = 'below_safety_stock' | 'stockout_within_lead_time'

export interface CriticalVerdict {
  critical: boolean
  available: number
  daysOfCover: number | null
  reasons: CriticalReason[]
}

/**
 * A SKU × location is critical when available stock (on hand − reserved) is below safety stock, or
 * when it runs out strictly before a replenishment ordered today could arrive (cover < lead time).
 */
export function isCritical(input: {
  onHand: number
  reserved: number
  safetyStock: number
  meanDailyDemand: number
  leadTimeDays: number
}): CriticalVerdict {
  requireNonNegative('reserved', input.reserved)
  requireNonNegative('safetyStock', input.safetyStock)
  requireNonNegative('leadTimeDays', input.leadTimeDays)
  requireFinite('onHand', input.onHand)
  const available = input.onHand - input.reserved
  const cover = daysOfCover(available, input.meanDailyDemand)
  const reasons: CriticalReason[] = []
  if (available < input.safetyStock) reasons.push('below_safety_stock')
  if (cover !== null && cover < input.leadTimeDays) reasons.push('stockout_within_lead_time')
  return { critical: reasons.length > 0, available, daysOfCover: cover, reasons }
}

/** Whole units: float noise such as 330.0000000001 must not round up to 331. */
function ceilUnits(value: number): number {
  return Math.ceil(value - 1e-9)
}

/**
 * Units to order: need = max(0, demand + SS − available − open purchase − open production). When there
 * is a need it is raised to at least the MOQ, then rounded up to a whole batch (whole units when the
 * batch size is 0), so the result satisfies both; with no need the answer is 0 whatever the MOQ.
 */
export function reorderQuantity(input: {
  forecastDemandOverHorizon: number
  safetyStock: number
  available: number
  openPurchase: number
  openProduction: number
  moq: number
  batchSize: number
}): number {
  requireNonNegative('forecastDemandOverHorizon', input.forecastDemandOverHorizon)
  requireNonNegative('safetyStock', input.safetyStock)
  requireNonNegative('openPurchase', input.openPurchase)
  requireNonNegative('openProduction', input.openProduction)
  requireNonNegative('moq', input.moq)
  requireNonNegative('batchSize', input.batchSize)
  requireFinite('available', input.available)
  const need =
    input.forecastDemandOverHorizon +
    input.safetyStock -
    input.available -
    input.openPurchase -
    input.openProduction
  if (ceilUnits(need) <= 0) return 0
  const atLeastMoq = Math.max(need, input.moq)
  if (input.batchSize === 0) return ceilUnits(atLeastMoq)
  return ceilUnits(atLeastMoq / input.batchSize) * input.batchSize
}
