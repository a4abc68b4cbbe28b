/**
 * Working-capital days (SPEC §3): DIO, DSO, DPO and the cash conversion cycle over a period of `days`.
 * A figure whose denominator is zero is null ("no value"), never 0, and nulls carry into the CCC.
 */

function requireNonNegative(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0))
    throw new RangeError(`${name} must be a number ≥ 0, got ${value}`)
}

function requirePeriod(days: number): void {
  if (!(Number.isFinite(days) && days > 0)) throw new RangeError(`days must be a number > 0, got ${days}`)
}

/** balance / flow × days, or null when nothing flowed in the period. */
function daysOf(balance: number, flow: number, days: number): number | null {
  requirePeriod(days)
  return flow === 0 ? null : (balance / flow) * days
}

/** The mean of balances sampled over the period (e.g. opening and closing); null with no samples. */
export function averageBalance(balances: readonly number[]): number | null {
  for (const balance of balances) requireNonNegative('balance', balance)
  if (balances.length === 0) return null
  return balances.reduce((sum, balance) => sum + balance, 0) / balances.length
}

/** Days inventory outstanding = average inventory / COGS × days. */
export function dio(averageInventory: number, cogs: number, days: number): number | null {
  requireNonNegative('averageInventory', averageInventory)
  requireNonNegative('cogs', cogs)
  return daysOf(averageInventory, cogs, days)
}

/** Days sales outstanding = average receivables / revenue × days. */
export function dso(averageReceivables: number, revenue: number, days: number): number | null {
  requireNonNegative('averageReceivables', averageReceivables)
  requireNonNegative('revenue', revenue)
  return daysOf(averageReceivables, revenue, days)
}

/** Days payables outstanding = average payables / COGS × days. */
export function dpo(averagePayables: number, cogs: number, days: number): number | null {
  requireNonNegative('averagePayables', averagePayables)
  requireNonNegative('cogs', cogs)
  return daysOf(averagePayables, cogs, days)
}

/** CCC = DIO + DSO − DPO; null when any part has no value. */
export function cashConversionCycle(parts: {
  dio: number | null
  dso: number | null
  dpo: number | null
}): number | null {
  if (parts.dio === null || parts.dso === null || parts.dpo === null) return null
  return parts.dio + parts.dso - parts.dpo
}

export interface WorkingCapitalInput {
  averageInventory: number
  averageReceivables: number
  averagePayables: number
  /** Cost of goods sold over the period. */
  cogs: number
  /** Revenue over the period. */
  revenue: number
  /** Length of the period in days (e.g. 365 for a year, 90 for a quarter). */
  days: number
}

export interface WorkingCapital {
  dio: number | null
  dso: number | null
  dpo: number | null
  ccc: number | null
}

/** All four figures for one period. */
export function workingCapital(input: WorkingCapitalInput): WorkingCapital {
  const parts = {
    dio: dio(input.averageInventory, input.cogs, input.days),
    dso: dso(input.averageReceivables, input.revenue, input.days),
    dpo: dpo(input.averagePayables, input.cogs, input.days),
  }
  return { ...parts, ccc: cashConversionCycle(parts) }
}
