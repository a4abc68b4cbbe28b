/**
 * How the demo business's customers and lines behave, shared by the history generator
 * (`generate.ts`) and the live simulator (`simulate.ts`).
 */

/** Sessions per order, by channel kind (about 2.8% conversion on Shopify, 11% on Amazon). */
export const SESSIONS_PER_ORDER: Record<string, number> = { shopify: 36, amazon: 9 }

export const DOWNTIME_REASONS = [
  'changeover',
  'label jam',
  'cleaning',
  'cap feeder fault',
  'material shortage',
]

/** Share of retail orders with a second product. */
export const SECOND_LINE_SHARE = 0.25

/** Bottles per retail order line, by weight. */
export const RETAIL_QUANTITIES: Record<string, number> = { 1: 70, 2: 20, 3: 7, 6: 3 }

/** Wholesale lines are whole cases: this many bottles a case, from `min` to `max` cases. */
export const WHOLESALE_CASE = 12
export const WHOLESALE_CASES = { min: 2, max: 12 }

/** Share of a batch's units rejected, and good units as a share of the plan. */
export const REJECT_SHARE = { min: 0.005, max: 0.04 }
export const YIELD = { min: 0.93, max: 1 }
