import { type Deployment, useDeployMarkers } from './deployment-hooks.ts'
import { timeOfDay } from './show.ts'

const WIDTH = 96
const HEIGHT = 28

/** What a marker says: the release, when, and a regression flag. */
export function markerText(deployment: Deployment): string {
  const what =
    deployment.kind === 'rollback' ? `Rolled back to ${deployment.version}` : `Deployed ${deployment.version}`
  const flag = deployment.check.state === 'regressed' ? ' (regressed)' : ''
  return `${what} at ${timeOfDay(deployment.startedAt)}${flag}`
}

/**
 * A tile's sparkline on a time axis, with a vertical marker at each deployment inside its range
 * (red for a regressed one), each titled with the release. Decorative without deployments (the
 * figure beside it says the value); with them, an image named after the deployments it marks.
 */
export function TrendLine(props: { points: { at: string; value: number }[]; stepSeconds: number }) {
  const deployments = useDeployMarkers().data ?? []
  const { points, stepSeconds } = props
  const times = points.map((point) => Date.parse(point.at))
  const from = times[0]!
  const to = times.at(-1)! + stepSeconds * 1000
  const x = (ms: number) => ((ms - from) / (to - from)) * WIDTH
  const values = points.map((point) => point.value)
  const max = Math.max(...values)
  const min = Math.min(...values)
  const span = max - min || 1
  const line = points
    .map(
      (point, i) =>
        `${x(times[i]! + (stepSeconds * 1000) / 2).toFixed(1)},${(HEIGHT - ((point.value - min) / span) * HEIGHT).toFixed(1)}`,
    )
    .join(' ')
  const marked = deployments.filter((d) => {
    const at = Date.parse(d.startedAt)
    return at >= from && at <= to
  })
  const content = (
    <>
      <polyline points={line} fill="none" stroke="currentColor" strokeWidth="1.5" />
      {marked.map((d) => {
        const at = x(Date.parse(d.startedAt)).toFixed(1)
        const regressed = d.check.state === 'regressed'
        return (
          <g
            key={d.id}
            data-deploy-marker={d.version}
            data-regressed={regressed || undefined}
            className={regressed ? 'text-red-600 dark:text-red-400' : 'text-sky-700 dark:text-sky-300'}
          >
            <title>{markerText(d)}</title>
            <line
              x1={at}
              x2={at}
              y1={0}
              y2={HEIGHT}
              stroke="currentColor"
              strokeWidth="1.5"
              strokeDasharray="3 2"
            />
            {/* A wider invisible line, so the title shows without aiming at one pixel. */}
            <line x1={at} x2={at} y1={0} y2={HEIGHT} stroke="transparent" strokeWidth="8" />
          </g>
        )
      })}
    </>
  )
  const box = { width: WIDTH, height: HEIGHT, viewBox: `0 0 ${WIDTH} ${HEIGHT}` }
  const tone = 'overflow-visible text-amber-700 dark:text-amber-400'
  if (marked.length === 0)
    return (
      <svg {...box} aria-hidden="true" className={tone}>
        {content}
      </svg>
    )
  return (
    <svg
      {...box}
      role="img"
      aria-label={`Trend with deployments: ${marked.map(markerText).join('; ')}`}
      className={tone}
    >
      {content}
    </svg>
  )
}
