/**
 * Demand forecasting per SKU × channel (SPEC §3): Holt-Winters additive, simple exponential smoothing and
 * (seasonal-)naive, with a backtest and prediction intervals. Pure and deterministic.
 */
import { zForServiceLevel } from '../inventory/calc.ts'

export type ModelName = 'holt-winters' | 'ses' | 'seasonal-naive' | 'naive'

export interface FittedModel {
  model: ModelName
  /** One-step-ahead in-sample errors, actual − forecast, in time order. */
  errors: number[]
  /** Sum of squared one-step-ahead errors. */
  sse: number
  /** Point forecasts for the next h periods after the series. */
  forecast(h: number): number[]
}

export type HoltWintersParams = { alpha: number; beta: number; gamma: number }

/** The smoothing-parameter grid searched when none are given: 0.05, 0.10, … 0.95. */
const GRID = Array.from({ length: 19 }, (_, i) => (i + 1) / 20)
const MAX_DESCENT_ROUNDS = 10

function requireSeries(series: readonly number[], minLength: number, what: string): void {
  if (series.length < minLength)
    throw new RangeError(`${what} needs at least ${minLength} points, got ${series.length}`)
  for (const value of series)
    if (!Number.isFinite(value)) throw new RangeError(`series holds a non-finite value: ${value}`)
}

function requireSeasonLength(seasonLength: number): void {
  if (!(Number.isInteger(seasonLength) && seasonLength >= 1)) {
    throw new RangeError(`season length must be an integer ≥ 1, got ${seasonLength}`)
  }
}

function requireLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`interval level must be in (0, 1), got ${level}`)
}

/** Forecast values for steps 1..h, after checking h. */
function steps(h: number, at: (step: number) => number): number[] {
  if (!(Number.isInteger(h) && h >= 0)) throw new RangeError(`horizon must be an integer ≥ 0, got ${h}`)
  return Array.from({ length: h }, (_, i) => at(i + 1))
}

function requireSmoothing(name: string, value: number): void {
  if (!(value > 0 && value <= 1)) throw new RangeError(`${name} must be in (0, 1], got ${value}`)
}

function sumOfSquares(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value * value, 0)
}

/** SES with level starting at the first value; one-step forecast for t is the level after t − 1. */
function runSes(series: readonly number[], alpha: number): { level: number; errors: number[] } {
  let level = series[0]!
  const errors: number[] = []
  for (let t = 1; t < series.length; t++) {
    errors.push(series[t]! - level)
    level = alpha * series[t]! + (1 - alpha) * level
  }
  return { level, errors }
}

/**
 * Simple exponential smoothing: ℓ₀ = y₀, ℓₜ = α·yₜ + (1 − α)·ℓₜ₋₁, flat forecast ℓₙ. Without an
 * alpha, the grid value with the smallest one-step SSE is used (the smallest alpha on ties).
 */
export function simpleExponentialSmoothing(
  series: readonly number[],
  alpha?: number,
): FittedModel & { alpha: number } {
  requireSeries(series, 1, 'simple exponential smoothing')
  if (alpha !== undefined) requireSmoothing('alpha', alpha)
  const chosen = alpha ?? argMin(GRID, (a) => sumOfSquares(runSes(series, a).errors))
  const { level, errors } = runSes(series, chosen)
  const forecast = (h: number) => steps(h, () => level)
  return { model: 'ses', alpha: chosen, errors, sse: sumOfSquares(errors), forecast }
}

function argMin<T>(candidates: readonly T[], cost: (candidate: T) => number): T {
  let best: T = candidates[0]!
  let bestCost = cost(best)
  for (const candidate of candidates.slice(1)) {
    const c = cost(candidate)
    if (c < bestCost) [best, bestCost] = [candidate, c]
  }
  return best
}

/** Level, trend, seasonal component per slot t mod m, and one-step errors after the last point. */
type HoltWintersState = { level: number; trend: number; seasonal: number[]; errors: number[] }

/**
 * The additive recursion, started at the end of the first season from a decomposition of the first
 * two: trend b = (mean₂ − mean₁)/m; seasonal s_i = the mean over both seasons of y minus the straight
 * line through the two season means (at their centres); level = that line at t = m − 1.
 */
function runHoltWinters(series: readonly number[], m: number, p: HoltWintersParams): HoltWintersState {
  const mean1 = series.slice(0, m).reduce((sum, y) => sum + y, 0) / m
  const mean2 = series.slice(m, 2 * m).reduce((sum, y) => sum + y, 0) / m
  const slope = (mean2 - mean1) / m
  const line = (t: number) => mean1 + slope * (t - (m - 1) / 2)
  const detrended = (t: number) => series[t]! - line(t)
  const seasonal = Array.from({ length: m }, (_, i) => (detrended(i) + detrended(i + m)) / 2)
  let level = line(m - 1)
  let trend = slope
  const errors: number[] = []
  for (let t = m; t < series.length; t++) {
    const y = series[t]!
    const slot = t % m
    const season = seasonal[slot]!
    errors.push(y - (level + trend + season))
    const previousLevel = level
    level = p.alpha * (y - season) + (1 - p.alpha) * (level + trend)
    seasonal[slot] = p.gamma * (y - previousLevel - trend) + (1 - p.gamma) * season
    trend = p.beta * (level - previousLevel) + (1 - p.beta) * trend
  }
  return { level, trend, seasonal, errors }
}

/**
 * Fits α, β, γ by coordinate descent on the one-step SSE: starting from (0.3, 0.1, 0.1), each in turn
 * takes its best grid value with the others held, until a full round changes nothing (at most 10).
 */
function fitHoltWinters(series: readonly number[], m: number): HoltWintersParams {
  let params: HoltWintersParams = { alpha: 0.3, beta: 0.1, gamma: 0.1 }
  const cost = (p: HoltWintersParams) => sumOfSquares(runHoltWinters(series, m, p).errors)
  for (let round = 0; round < MAX_DESCENT_ROUNDS; round++) {
    const before = params
    for (const key of ['alpha', 'beta', 'gamma'] as const) {
      const current = params
      const values = [current[key], ...GRID.filter((value) => value !== current[key])]
      params = argMin(
        values.map((value) => ({ ...current, [key]: value })),
        cost,
      )
    }
    if (params.alpha === before.alpha && params.beta === before.beta && params.gamma === before.gamma) break
  }
  return params
}

/**
 * Holt-Winters additive: ŷ(t+h) = ℓ + h·b + s(slot of t+h). Needs two full seasons (used to start the
 * recursion, see `runHoltWinters`); errors are counted from the second season on.
 */
export function holtWintersAdditive(
  series: readonly number[],
  seasonLength: number,
  params?: HoltWintersParams,
): FittedModel & { params: HoltWintersParams } {
  requireSeasonLength(seasonLength)
  if (seasonLength < 2) throw new RangeError('Holt-Winters needs a season length of at least 2')
  requireSeries(series, 2 * seasonLength, 'Holt-Winters')
  if (params) for (const [name, value] of Object.entries(params)) requireSmoothing(name, value)
  const chosen = params ?? fitHoltWinters(series, seasonLength)
  const { level, trend, seasonal, errors } = runHoltWinters(series, seasonLength, chosen)
  const last = series.length - 1
  const forecast = (h: number) => steps(h, (k) => level + k * trend + seasonal[(last + k) % seasonLength]!)
  return { model: 'holt-winters', params: chosen, errors, sse: sumOfSquares(errors), forecast }
}

/** Repeats the last full season: ŷ(n + h) = y(n + h − m·k) for the smallest k that lands in the series. */
export function seasonalNaive(series: readonly number[], seasonLength: number): FittedModel {
  requireSeasonLength(seasonLength)
  requireSeries(series, seasonLength, 'seasonal-naive')
  const errors = series.slice(seasonLength).map((y, i) => y - series[i]!)
  const start = series.length - seasonLength
  const forecast = (h: number) => steps(h, (k) => series[start + ((k - 1) % seasonLength)]!)
  const model = seasonLength === 1 ? 'naive' : 'seasonal-naive'
  return { model, errors, sse: sumOfSquares(errors), forecast }
}

/** Fewest points for SES: below this one-step errors are too few to choose an alpha from. */
const MIN_SES_POINTS = 3

/**
 * Holt-Winters with two full seasons (season length ≥ 2); else seasonal-naive with one full season
 * (it keeps the weekly shape that SES would flatten); else SES with at least 3 points; else naive.
 */
export function chooseModel(series: readonly number[], seasonLength: number): ModelName {
  requireSeasonLength(seasonLength)
  if (series.length === 0) throw new RangeError('cannot forecast an empty series')
  if (seasonLength >= 2 && series.length >= 2 * seasonLength) return 'holt-winters'
  if (seasonLength >= 2 && series.length >= seasonLength) return 'seasonal-naive'
  if (series.length >= MIN_SES_POINTS) return 'ses'
  return 'naive'
}

const FITTERS: Record<ModelName, (series: readonly number[], seasonLength: number) => FittedModel> = {
  'holt-winters': (series, seasonLength) => holtWintersAdditive(series, seasonLength),
  'seasonal-naive': seasonalNaive,
  ses: (series) => simpleExponentialSmoothing(series),
  naive: (series) => seasonalNaive(series, 1),
}

/** Fits the model `chooseModel` picks, with parameters fitted to the series. */
export function fitBest(series: readonly number[], seasonLength: number): FittedModel {
  return FITTERS[chooseModel(series, seasonLength)](series, seasonLength)
}

export interface Backtest {
  /** The model chosen for the shortened history, which may be simpler than for the full series. */
  model: ModelName
  horizon: number
  /** Σ|a − f| / Σ|a|; null when every held-out actual is 0. */
  wape: number | null
  /** Σ(f − a) / Σ|a|: positive means over-forecasting; null when every held-out actual is 0. */
  bias: number | null
}

/**
 * Holds out the last `horizon` points, fits on the rest and scores the forecasts (clamped at 0, as
 * shown to users). Null when nothing would be left to fit on.
 */
export function backtest(series: readonly number[], seasonLength: number, horizon: number): Backtest | null {
  if (!(Number.isInteger(horizon) && horizon >= 1)) {
    throw new RangeError(`backtest horizon must be an integer ≥ 1, got ${horizon}`)
  }
  if (series.length <= horizon) return null
  const actual = series.slice(series.length - horizon)
  const fitted = fitBest(series.slice(0, series.length - horizon), seasonLength)
  const predicted = fitted.forecast(horizon).map((value) => Math.max(0, value))
  const scale = actual.reduce((sum, a) => sum + Math.abs(a), 0)
  const absolute = actual.reduce((sum, a, i) => sum + Math.abs(a - predicted[i]!), 0)
  const signed = actual.reduce((sum, a, i) => sum + (predicted[i]! - a), 0)
  if (scale === 0) return { model: fitted.model, horizon, wape: null, bias: null }
  return { model: fitted.model, horizon, wape: absolute / scale, bias: signed / scale }
}

/** Fewest one-step errors needed to estimate an interval width. */
const MIN_ERRORS_FOR_INTERVAL = 2

/**
 * Half-width of the central `level` interval h steps ahead: z·σ₁·√h, with σ₁ the root mean square of
 * one-step errors (taken about 0, so bias widens it). √h treats errors as a random walk: exact for
 * naive forecasts, an approximation for smoothed ones. Null with fewer than 2 errors.
 */
export function intervalHalfWidth(errors: readonly number[], level: number, h: number): number | null {
  requireLevel(level)
  if (errors.length < MIN_ERRORS_FOR_INTERVAL) return null
  const sigma = Math.sqrt(sumOfSquares(errors) / errors.length)
  return zForServiceLevel((1 + level) / 2) * sigma * Math.sqrt(h)
}

export interface ForecastPoint {
  step: number
  value: number
  lower: number | null
  upper: number | null
}

export interface Forecast {
  model: ModelName
  points: ForecastPoint[]
  backtest: Backtest | null
}

/**
 * Forecasts `horizon` periods with the chosen model, a central `level` prediction interval (default
 * 95%) and a backtest over the same horizon. Demand is never negative, so value and bounds are clamped at 0.
 */
export function forecast(
  series: readonly number[],
  options: { seasonLength: number; horizon: number; level?: number },
): Forecast {
  const { seasonLength, horizon, level = 0.95 } = options
  requireLevel(level)
  const fitted = fitBest(series, seasonLength)
  const points = fitted.forecast(horizon).map((raw, i) => {
    const half = intervalHalfWidth(fitted.errors, level, i + 1)
    return {
      step: i + 1,
      value: Math.max(0, raw),
      lower: half === null ? null : Math.max(0, raw - half),
      upper: half === null ? null : Math.max(0, raw + half),
    }
  })
  const check = horizon > 0 ? backtest(series, seasonLength, horizon) : null
  return { model: fitted.model, points, backtest: check }
}
