import type { Command } from 'commander'
import { loadConfig } from '../config.ts'
import type { HealthReport } from '../modules/health/service.ts'
import type { metricsSummary } from '../modules/metrics/service.ts'
import { httpRequest } from './http.ts'
import { CliError, printJson } from './output.ts'

type Summary = Awaited<ReturnType<typeof metricsSummary>>

/** `sentia status`: the runbook's "status" — health and key figures of a running instance. */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show version, uptime, replicas, component health and traffic of a running instance')
    .option('--url <url>', 'base URL of the instance (default: http://HOST:PORT from the environment)')
    .option(
      '--api-key <key>',
      'API key (viewer or higher) for the traffic figures (default: $SENTIA_API_KEY)',
    )
    .option('--json', 'print the raw figures as JSON')
    .option('--timeout <ms>', 'give up after this many milliseconds', '5000')
    .action(async (options: { url?: string; json?: boolean; timeout: string; apiKey?: string }) => {
      const base = options.url ?? defaultUrl()
      const timeout = Number(options.timeout)
      const apiKey = options.apiKey ?? process.env.SENTIA_API_KEY
      const health = await fetchJson<HealthReport>(new URL('/health', base), timeout, [200, 503])
      const metrics = await fetchJson<Summary>(new URL('/api/metrics', base), timeout, [200], apiKey).catch(
        (error: Error) => ({ unavailable: error.message }),
      )
      const alerts = await fetchJson<{ items: OpenAlert[] }>(
        new URL('/api/alerts?state=active&limit=200', base),
        timeout,
        [200],
        apiKey,
      ).catch((error: Error) => ({ unavailable: error.message }))
      const incidents = await fetchJson<{ items: OpenIncident[] }>(
        new URL('/api/incidents?state=open&limit=200', base),
        timeout,
        [200],
        apiKey,
      ).catch((error: Error) => ({ unavailable: error.message }))
      if (options.json) printJson({ url: base, health, metrics, alerts, incidents })
      else
        console.log(
          formatStatus(
            base,
            health,
            'unavailable' in metrics ? undefined : metrics,
            'unavailable' in alerts ? undefined : alerts.items,
            'unavailable' in incidents ? undefined : incidents.items,
          ),
        )
      if (health.status === 'down') throw new CliError(`instance at ${base} is down`, 2)
    })
}

function defaultUrl(): string {
  const config = loadConfig()
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`
}

async function fetchJson<T>(url: URL, timeoutMs: number, accept: number[], apiKey?: string): Promise<T> {
  const answer = await httpRequest(url, { timeoutMs, apiKey })
  if (!accept.includes(answer.status)) {
    throw new CliError(`${url.pathname} answered HTTP ${answer.status}`)
  }
  if (answer.body === null) throw new CliError(`${url.pathname} answered something other than JSON`)
  return answer.body as T
}

/** What `status` shows of an open alert (GET /api/alerts). */
export interface OpenAlert {
  id: string
  state: 'pending' | 'firing'
  severity: string
  ruleName: string
  summary: string
  acknowledgedAt: string | null
}

/** What `status` shows of an open incident (GET /api/incidents). */
export interface OpenIncident {
  id: string
  severity: string
  status: string
  title: string
  acknowledgedAt: string | null
  durationMinutes: number
}

export function formatStatus(
  url: string,
  health: HealthReport,
  metrics?: Summary,
  alerts?: OpenAlert[],
  incidents?: OpenIncident[],
): string {
  const lines = [
    `Sentia ${health.version} (${health.commit.slice(0, 12)}) at ${url}`,
    `environment ${health.environment}   role ${health.role}   uptime ${duration(health.uptimeSeconds)}` +
      (metrics?.replicas != null ? `   replicas ${metrics.replicas}` : ''),
    `status: ${health.status.toUpperCase()}`,
    '',
    'components:',
  ]
  for (const [name, c] of Object.entries(health.components)) {
    const detail = [c.latencyMs !== undefined ? `${c.latencyMs} ms` : '', c.message ?? '']
      .filter(Boolean)
      .join('  ')
    lines.push(`  ${name.padEnd(10)} ${c.status.padEnd(9)} ${detail}`)
  }
  if (metrics) {
    const w = metrics.requests['5m']
    lines.push(
      '',
      `requests (5 min): ${w.requestsPerSecond}/s   errors ${percent(w.errorRate)}   ` +
        `p50 ${ms(w.p50Ms)}   p95 ${ms(w.p95Ms)}   p99 ${ms(w.p99Ms)}`,
      `cpu ${metrics.cpu.systemPercent ?? '-'}% host, ${metrics.cpu.processPercent ?? '-'}% process   ` +
        `memory ${mb(metrics.memory.rssBytes)} rss, host ${metrics.memory.systemUsedPercent}% used   ` +
        `disk ${metrics.disk.usedPercent}% used   event loop p99 ${metrics.eventLoopLag.p99Ms} ms`,
    )
    if (metrics.slowestRoutes.length > 0) {
      lines.push('', 'slowest routes (15 min, p95):')
      for (const r of metrics.slowestRoutes)
        lines.push(`  ${ms(r.p95Ms).padStart(9)}  ${r.route} (${r.requests} requests)`)
    }
    if (metrics.failingRoutes.length > 0) {
      lines.push('', 'failing routes (15 min):')
      for (const r of metrics.failingRoutes)
        lines.push(`  ${String(r.errors).padStart(6)} errors  ${r.route} (${percent(r.errorRate)})`)
    }
  }
  if (alerts) {
    const firing = alerts.filter((a) => a.state === 'firing')
    lines.push('', `open alerts: ${firing.length} firing, ${alerts.length - firing.length} pending`)
    for (const a of firing.slice(0, 10))
      lines.push(
        `  #${a.id} ${a.severity.toUpperCase().padEnd(8)} ${a.ruleName}: ${a.summary}${a.acknowledgedAt ? ' (acknowledged)' : ''}`,
      )
  }
  if (incidents) {
    lines.push('', `open incidents: ${incidents.length}`)
    for (const i of incidents.slice(0, 10))
      lines.push(
        `  #${i.id} ${i.severity} ${i.status.padEnd(13)} ${i.title} (${i.durationMinutes} min${i.acknowledgedAt ? '' : ', not acknowledged'})`,
      )
  }
  return lines.join('\n')
}

const ms = (value: number | null) => (value === null ? '-' : `${value} ms`)
const percent = (value: number | null) => (value === null ? '-' : `${Math.round(value * 10000) / 100}%`)
const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400)
  const h = Math.floor((seconds % 86400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  if (d > 0) return `${d}d ${h}h`
  if (h > 0) return `${h}h ${m}m`
  return `${m}m ${seconds % 60}s`
}
