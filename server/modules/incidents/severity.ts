import type { AppContext } from '../../context.ts'
import type { IncidentSeverity } from '../../platform/db/schema.ts'
import { healthReport } from '../health/service.ts'
import { readSeries } from '../monitoring/service.ts'

/**
 * The severity helper: what the current signals suggest, with the reason, after the runbook's
 * classification (outage → P0; error rate > 10 % or p95 over the alert level → P1; 5–10 % or
 * p95 over the warning level → P2; otherwise P3). Signals are the last five minutes of stored
 * samples, the health report and the firing critical alerts.
 */

export interface Signals {
  /** The health report's overall status (`down`: a required component is down). */
  health: 'ok' | 'degraded' | 'down'
  downComponents: string[]
  /** 5xx share of all responses in the window, % (null without traffic). */
  errorRatePercent: number | null
  p95Ms: number | null
  criticalAlertsFiring: number
}

export interface Suggestion {
  severity: IncidentSeverity
  reason: string
  signals: Signals
}

export const SIGNAL_WINDOW_MINUTES = 5
/** The runbook's response-time levels (warning 2000 ms, alert 3000 ms). */
const P95_ALERT_MS = 3000
const P95_WARN_MS = 2000

export function suggestSeverity(signals: Signals): Suggestion {
  const at = (severity: IncidentSeverity, reason: string): Suggestion => ({ severity, reason, signals })
  const { errorRatePercent: errors, p95Ms: p95 } = signals
  if (signals.health === 'down')
    return at('P0', `Outage: ${signals.downComponents.join(', ') || 'a required component'} down`)
  if (errors !== null && errors > 10)
    return at('P1', `High error rate: ${errors}% of responses failed (> 10%)`)
  if (p95 !== null && p95 >= P95_ALERT_MS)
    return at('P1', `Significant performance degradation: p95 ${p95} ms (≥ ${P95_ALERT_MS} ms)`)
  if (signals.criticalAlertsFiring > 0)
    return at('P1', `${signals.criticalAlertsFiring} critical alert(s) firing`)
  if (errors !== null && errors >= 5)
    return at('P2', `Elevated error rate: ${errors}% of responses failed (5–10%)`)
  if (p95 !== null && p95 >= P95_WARN_MS)
    return at('P2', `Minor performance issues: p95 ${p95} ms (≥ ${P95_WARN_MS} ms)`)
  if (signals.health === 'degraded') return at('P2', 'Degraded: an optional component is not healthy')
  return at('P3', 'No degradation in the current signals: minor bugs, UI or documentation issues')
}

async function lastValue(ctx: AppContext, name: string, now: Date): Promise<number | null> {
  const seconds = SIGNAL_WINDOW_MINUTES * 60
  const from = new Date(Math.floor(now.getTime() / 1000 / seconds) * seconds * 1000 - seconds * 1000)
  const series = await readSeries(ctx, { name, from, to: new Date(now.getTime() + 1), stepSeconds: seconds })
  const recent = series.points.filter((p) => Date.parse(p.at) >= now.getTime() - 2 * seconds * 1000)
  return recent.length > 0 ? recent[recent.length - 1]!.value : null
}

export async function currentSignals(ctx: AppContext): Promise<Signals> {
  const now = ctx.clock.now()
  const [health, errorRatePercent, p95Ms, critical] = await Promise.all([
    healthReport(ctx),
    lastValue(ctx, 'error_rate', now),
    lastValue(ctx, 'response_time_p95_ms', now),
    ctx.db
      .selectFrom('alerts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('state', '=', 'firing')
      .where('severity', '=', 'critical')
      .executeTakeFirstOrThrow(),
  ])
  return {
    health: health.status,
    downComponents: Object.entries(health.components)
      .filter(([, c]) => c.required && c.status === 'down')
      .map(([name]) => name),
    errorRatePercent,
    p95Ms,
    criticalAlertsFiring: Number(critical.n),
  }
}
