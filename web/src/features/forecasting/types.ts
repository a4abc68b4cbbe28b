/** `GET /api/forecasts` (server/modules/forecasting/routes.ts). */
export interface Forecast {
  sku: string
  channel: string | null
  model: string
  historyDays: number
  level: number
  history: { day: string; units: number }[]
  points: { day: string; value: number; lower: number | null; upper: number | null }[]
  backtest: { model: string; horizon: number; wape: number | null; bias: number | null } | null
}

export interface ForecastChoice {
  sku: string
  /** '' for every channel together. */
  channel: string
  horizon: number
}

/** How each model the server may choose is named on the page. */
export const MODEL_NAMES: Record<string, string> = {
  'holt-winters': 'Holt-Winters, weekly season',
  'seasonal-naive': 'Seasonal naive (last week again)',
  ses: 'Simple exponential smoothing',
  naive: 'Naive (last day again)',
}

export const modelName = (model: string) => MODEL_NAMES[model] ?? model
