import { KpiCard } from '../../components/KpiCard.tsx'
import { number, percent } from '../../lib/format.ts'
import { type Forecast, modelName } from './types.ts'

/** A fraction with its sign (+3.2 %, −1.5 %): a bias reads as over or under. */
export const signedPercent = (value: number) => `${value > 0 ? '+' : ''}${percent(value)}`

/** The model the server chose and how well it did on the held-out days (the backtest). */
export function ForecastSummary({ forecast }: { forecast: Forecast }) {
  const { backtest } = forecast
  const noBacktest = backtest === null
  const noActuals = backtest !== null && backtest.wape === null
  const why = noBacktest
    ? `Not enough history to hold out ${forecast.points.length} days and check the forecast.`
    : noActuals
      ? 'Nothing was sold on the held-out days, so there is no error to measure.'
      : `${modelName(backtest.model)} fitted without the last ${backtest.horizon} days, then compared with them.`
  return (
    <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
      <KpiCard
        label="Model"
        value={modelName(forecast.model)}
        detail={`chosen for ${number(forecast.historyDays)} days of history`}
      />
      <KpiCard label="Accuracy: WAPE" value={percent(backtest?.wape)} detail={why} />
      <KpiCard
        label="Bias"
        value={backtest?.bias == null ? '—' : signedPercent(backtest.bias)}
        detail={
          backtest?.bias == null
            ? 'No backtest to measure it on.'
            : backtest.bias > 0
              ? 'The backtest forecast more than was sold.'
              : backtest.bias < 0
                ? 'The backtest forecast less than was sold.'
                : 'The backtest was neither over nor under.'
        }
      />
      <KpiCard
        label="Prediction interval"
        value={percent(forecast.level, 0)}
        detail={
          forecast.points.some((p) => p.lower !== null)
            ? `of days should fall inside the shaded band, ${number(forecast.points.length)} days ahead`
            : 'Too little history to estimate an interval.'
        }
      />
    </div>
  )
}
