import { describe, expect, it } from 'vitest'
import {
  backtest,
  chooseModel,
  forecast,
  holtWintersAdditive,
  intervalHalfWidth,
  seasonalNaive,
  simpleExponentialSmoothing,
} from './models.ts'

/** Daily demand: 100 + 0.5/day growth + a weekly cycle that sums to zero, no noise. */
const WEEK = [-10, -5, 0, 5, 10, 20, -20]
const truth = (t: number) => 100 + 0.5 * t + WEEK[t % 7]!
const weeks = (n: number) => Array.from({ length: 7 * n }, (_, t) => truth(t))

describe('simple exponential smoothing', () => {
  it('α 0.5 on [10, 12, 14]: levels 10 → 11 → 12.5, errors 2 and 3, SSE 13', () => {
    const fit = simpleExponentialSmoothing([10, 12, 14], 0.5)
    expect(fit.errors).toEqual([2, 3])
    expect(fit.sse).toBe(13)
    expect(fit.forecast(3)).toEqual([12.5, 12.5, 12.5])
  })

  it('fits α on the grid: a rising series wants the largest, 0.95 (level 13.895, SSE 8.41)', () => {
    // SSE(α) = 2² + (4 − 2α)², falling all the way to α = 0.95.
    const fit = simpleExponentialSmoothing([10, 12, 14])
    expect(fit.alpha).toBe(0.95)
    expect(fit.sse).toBeCloseTo(8.41, 10)
    expect(fit.forecast(1)[0]).toBeCloseTo(13.895, 10)
  })

  it('the fitted α has the least SSE of every grid value', () => {
    const series = [12, 15, 11, 16, 14, 13, 18, 12, 15, 17]
    const fit = simpleExponentialSmoothing(series)
    for (let i = 1; i <= 19; i++) {
      expect(fit.sse).toBeLessThanOrEqual(simpleExponentialSmoothing(series, i / 20).sse)
    }
  })

  it('forecasts a single point flat, and rejects bad input', () => {
    expect(simpleExponentialSmoothing([7]).forecast(2)).toEqual([7, 7])
    expect(() => simpleExponentialSmoothing([])).toThrow(/at least 1 point/)
    expect(() => simpleExponentialSmoothing([1, Number.NaN])).toThrow(RangeError)
    expect(() => simpleExponentialSmoothing([1, 2], 0)).toThrow(/alpha must be in \(0, 1\]/)
    expect(() => simpleExponentialSmoothing([1, 2]).forecast(-1)).toThrow(RangeError)
  })
})

describe('Holt-Winters additive', () => {
  it('worked example, m = 2, α = β = γ = 0.5 on [10, 20, 12, 22, 16, 24]', () => {
    // Start: means 15 and 17 → b = 1, line 14.5, 15.5, 16.5, 17.5 → s = (−4.5, 4.5), ℓ = 15.5.
    // t=2: ŷ 12, e 0; t=3: ŷ 22, e 0; t=4: ŷ 14, e 2 → ℓ 19.5, b 1.5, s₀ −3.5;
    // t=5: ŷ 25.5, e −1.5 → ℓ 20.25, b 1.125, s₁ 3.75.
    const fit = holtWintersAdditive([10, 20, 12, 22, 16, 24], 2, { alpha: 0.5, beta: 0.5, gamma: 0.5 })
    expect(fit.errors).toEqual([0, 0, 2, -1.5])
    expect(fit.sse).toBe(6.25)
    expect(fit.forecast(3)).toEqual([17.875, 26.25, 20.125])
  })

  it('recovers trend and weekly pattern exactly from two clean weeks, whatever the parameters', () => {
    const fit = holtWintersAdditive(weeks(2), 7, { alpha: 0.9, beta: 0.9, gamma: 0.9 })
    const expected = Array.from({ length: 14 }, (_, i) => expect.closeTo(truth(14 + i), 9))
    expect(fit.forecast(14)).toEqual(expected)
  })

  it('fitted parameters do at least as well as the starting point and fixed alternatives', () => {
    // A weekly cycle with deterministic "noise" so the fit has something to choose.
    const series = weeks(8).map((y, t) => y + ((t * 37) % 11) - 5)
    const fit = holtWintersAdditive(series, 7)
    for (const params of [
      { alpha: 0.3, beta: 0.1, gamma: 0.1 },
      { alpha: 0.5, beta: 0.5, gamma: 0.5 },
      { alpha: 0.05, beta: 0.05, gamma: 0.05 },
    ]) {
      expect(fit.sse).toBeLessThanOrEqual(holtWintersAdditive(series, 7, params).sse)
    }
  })

  it('needs two full seasons and a season of at least 2', () => {
    expect(() => holtWintersAdditive(weeks(2).slice(1), 7)).toThrow(/at least 14 points/)
    expect(() => holtWintersAdditive([1, 2, 3], 1)).toThrow(/season length of at least 2/)
    expect(() => holtWintersAdditive(weeks(2), 2.5)).toThrow(/integer ≥ 1/)
  })
})

describe('seasonal naive', () => {
  it('repeats the last season: [5, 7, 9, 6, 8, 10], m = 3 → 6, 8, 10, 6; errors y − y(t−3) = 1', () => {
    const fit = seasonalNaive([5, 7, 9, 6, 8, 10], 3)
    expect(fit.model).toBe('seasonal-naive')
    expect(fit.forecast(4)).toEqual([6, 8, 10, 6])
    expect(fit.errors).toEqual([1, 1, 1])
  })

  it('with m = 1 is the naive forecast', () => {
    const fit = seasonalNaive([3, 5, 4], 1)
    expect(fit.model).toBe('naive')
    expect(fit.forecast(2)).toEqual([4, 4])
    expect(fit.errors).toEqual([2, -1])
  })
})

describe('chooseModel', () => {
  it.each([
    [14, 7, 'holt-winters'],
    [365, 7, 'holt-winters'],
    [13, 7, 'seasonal-naive'],
    [7, 7, 'seasonal-naive'],
    [6, 7, 'ses'],
    [3, 7, 'ses'],
    [2, 7, 'naive'],
    [1, 7, 'naive'],
    [100, 1, 'ses'],
  ])('%i points with season %i → %s', (length, seasonLength, model) => {
    expect(
      chooseModel(
        Array.from({ length }, () => 1),
        seasonLength,
      ),
    ).toBe(model)
  })

  it('refuses an empty series', () => {
    expect(() => chooseModel([], 7)).toThrow(/empty series/)
  })
})

describe('backtest', () => {
  it('holds out 2 of [5, 7, 9, 6, 8, 10, 7]: seasonal-naive says 9, 6 for 10, 7 → WAPE 2/17, bias −2/17', () => {
    const result = backtest([5, 7, 9, 6, 8, 10, 7], 3, 2)
    expect(result?.model).toBe('seasonal-naive')
    expect(result?.wape).toBeCloseTo(2 / 17, 12)
    expect(result?.bias).toBeCloseTo(-2 / 17, 12)
  })

  it('reports over-forecasting as positive bias', () => {
    const result = backtest([10, 10, 10, 10, 5, 5], 1, 2)
    expect(result).toEqual({ model: 'ses', horizon: 2, wape: 1, bias: 1 })
  })

  it('Holt-Winters keeps WAPE under 1% on a clean weekly series with trend', () => {
    const result = backtest(weeks(10), 7, 14)
    expect(result?.model).toBe('holt-winters')
    expect(result?.wape).toBeLessThan(0.01)
    expect(Math.abs(result?.bias ?? 1)).toBeLessThan(0.01)
  })

  it('gives no value when the actuals are all 0, and no backtest without history to fit on', () => {
    expect(backtest([4, 5, 6, 0, 0], 1, 2)).toMatchObject({ wape: null, bias: null })
    expect(backtest([1, 2], 7, 2)).toBeNull()
    expect(() => backtest([1, 2, 3], 1, 0)).toThrow(/integer ≥ 1/)
  })
})

describe('forecast', () => {
  it('widens the interval with √h: errors [1, 1] → σ 1, 95% half-width 1.96·√h', () => {
    expect(intervalHalfWidth([1, -1], 0.95, 4)).toBeCloseTo(2 * 1.959964, 5)
    const result = forecast([5, 7, 9, 6, 8], { seasonLength: 3, horizon: 4, level: 0.95 })
    expect(result.model).toBe('seasonal-naive')
    expect(result.points.map((p) => p.value)).toEqual([9, 6, 8, 9])
    expect(result.points[0]!.lower).toBeCloseTo(9 - 1.959964, 5)
    expect(result.points[0]!.upper).toBeCloseTo(9 + 1.959964, 5)
    expect(result.points[3]!.upper).toBeCloseTo(9 + 2 * 1.959964, 5)
    expect(intervalHalfWidth([3, -4], 0.8, 1)).toBeCloseTo(1.281552 * Math.sqrt(12.5), 5)
  })

  it('has no interval with fewer than 2 one-step errors', () => {
    const result = forecast([4, 6], { seasonLength: 1, horizon: 1 })
    expect(result.points).toEqual([{ step: 1, value: 6, lower: null, upper: null }])
  })

  it('never forecasts negative demand: a falling series is clamped at 0', () => {
    const falling = [20, 26, 16, 22, 12, 18] // 24 − 2t ∓ 4
    expect(holtWintersAdditive(falling, 2).forecast(7)[6]).toBeCloseTo(-4, 9)
    const result = forecast(falling, { seasonLength: 2, horizon: 7 })
    expect(result.points.map((p) => p.value)).toEqual(
      [8, 14, 4, 10, 0, 6, 0].map((v) => expect.closeTo(v, 9)),
    )
    for (const point of result.points) expect(point.lower).toBeGreaterThanOrEqual(0)
  })

  it('recovers a trend plus weekly pattern and reports its backtest; same input, same output', () => {
    const series = weeks(10)
    const result = forecast(series, { seasonLength: 7, horizon: 14, level: 0.9 })
    expect(result.model).toBe('holt-winters')
    const expected = Array.from({ length: 14 }, (_, i) => expect.closeTo(truth(70 + i), 6))
    expect(result.points.map((p) => p.value)).toEqual(expected)
    expect(result.backtest?.wape).toBeLessThan(0.01)
    expect(forecast(series, { seasonLength: 7, horizon: 14, level: 0.9 })).toEqual(result)
  })

  it('rejects an interval level outside (0, 1)', () => {
    expect(() => forecast([1, 2, 3], { seasonLength: 1, horizon: 2, level: 95 })).toThrow(
      /interval level must be in \(0, 1\)/,
    )
  })
})
