import { Link } from 'wouter'
import { StateBadge } from './Badges.tsx'
import { useUptime } from './hooks.ts'
import { metricLabel, STATE_EDGE, timeOfDay, valueWithUnit } from './show.ts'
import { TrendLine } from './TrendLine.tsx'
import type { Tile } from './types.ts'

/** What the value covers, in words: the latest minute, hour or the last 24 hours. */
function span(tile: Tile): string {
  if (tile.valueSeconds >= 86_400) return 'last 24 hours'
  if (tile.valueSeconds >= 3600) return 'this hour'
  return 'latest minute'
}

/** Uptime over 7 and 30 days beside the tile's 24 hours (time not sampled counts as down). */
function LongerUptime() {
  const { data } = useUptime()
  const longer = data?.items.filter((w) => w.window !== '24h') ?? []
  if (longer.length === 0) return null
  return (
    <p className="text-xs text-stone-600 dark:text-stone-400" data-uptime-windows>
      {longer.map((w) => `${w.window.replace('d', ' days')}: ${valueWithUnit(w.percent, '%')}`).join(' · ')}
    </p>
  )
}

/** One metric: its value and state (in words and colour), the rules' levels and a sparkline. */
export function MetricTile({ tile }: { tile: Tile }) {
  const label = metricLabel(tile.name)
  const id = `tile-${tile.name}`
  const trend = tile.sparkline.points.map((point) => point.value)
  return (
    <article
      aria-labelledby={id}
      data-metric={tile.name}
      data-state={tile.state}
      className={`flex w-full flex-col gap-1 rounded-lg border border-l-4 border-stone-200 bg-white p-3 dark:border-stone-800 dark:bg-stone-900 ${STATE_EDGE[tile.state]}`}
    >
      <div className="flex items-start justify-between gap-2">
        <h3
          id={id}
          title={tile.description}
          className="text-sm font-medium text-stone-700 dark:text-stone-300"
        >
          {label}
        </h3>
        <StateBadge state={tile.state} />
      </div>
      <p className="text-2xl font-semibold tabular-nums" data-value>
        {valueWithUnit(tile.value, tile.unit)}
      </p>
      <p className="text-xs text-stone-600 dark:text-stone-400">
        {tile.valueAt ? `${span(tile)}, ${timeOfDay(tile.valueAt)}` : 'no data in the last hour'}
      </p>
      {tile.name === 'uptime_percent' && <LongerUptime />}
      <ul className="text-xs text-stone-700 dark:text-stone-300">
        {tile.rules.length === 0 ? (
          <li>No alert rule</li>
        ) : (
          tile.rules.map((rule) => (
            <li key={rule.id} data-rule>
              {rule.condition} <span className="text-stone-500 dark:text-stone-400">({rule.severity})</span>
            </li>
          ))
        )}
      </ul>
      {tile.alerts.length > 0 && (
        <p className="text-xs">
          {tile.alerts.map((alert) => (
            <Link
              key={alert.id}
              href={`/ops/alerts/${alert.id}`}
              className="mr-2 font-medium text-amber-800 underline dark:text-amber-300"
            >
              {alert.state} {alert.severity} alert
            </Link>
          ))}
        </p>
      )}
      <div className="mt-auto flex justify-end">
        {trend.length > 1 && (
          <TrendLine points={tile.sparkline.points} stepSeconds={tile.sparkline.stepSeconds} />
        )}
      </div>
    </article>
  )
}

export function TileGrid({ tiles, label }: { tiles: Tile[]; label: string }) {
  return (
    <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4" aria-label={label}>
      {tiles.map((tile) => (
        <li key={tile.name} className="flex">
          <MetricTile tile={tile} />
        </li>
      ))}
    </ul>
  )
}
