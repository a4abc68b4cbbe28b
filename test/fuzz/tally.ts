import type { Harness } from './harness.ts'
import { SIDE_EFFECTS } from './hints.ts'

/**
 * The status distribution per class of route, printed after the run: it shows that most cases
 * got past authentication and rate limits to validation and the handlers (the answer is not
 * 401, 403 or 429), and how valid-shaped cases fared.
 */
const STOPPED_EARLY = new Set([401, 403, 429])

function classOf(harness: Harness, key: string): string {
  const route = harness.routes.find((r) => r.key === key)
  if (!route) return 'unknown'
  if (SIDE_EFFECTS[key]) return `side effect (${SIDE_EFFECTS[key]!.policy})`
  if (route.access === 'public' || route.access === 'metrics-scraper') return String(route.access)
  return route.method === 'GET' || route.method === 'HEAD' ? 'role, read' : 'role, write'
}

function format(counts: Map<number, number>): string {
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}:${n}`)
    .join(' ')
}

function add(into: Map<number, number>, from: Map<number, number> | undefined): void {
  for (const [status, n] of from ?? []) into.set(status, (into.get(status) ?? 0) + n)
}

export function printTally(harness: Harness, fuzzed: Map<string, { cases: number; failed: boolean }>): void {
  const classes = new Map<string, { routes: number; all: Map<number, number>; valid: Map<number, number> }>()
  const lowReach: string[] = []
  for (const [key] of fuzzed) {
    const name = classOf(harness, key)
    const entry = classes.get(name) ?? { routes: 0, all: new Map(), valid: new Map() }
    entry.routes += 1
    add(entry.all, harness.statuses.get(key))
    add(entry.valid, harness.validStatuses.get(key))
    classes.set(name, entry)
    const counts = harness.statuses.get(key) ?? new Map<number, number>()
    const total = [...counts.values()].reduce((a, b) => a + b, 0)
    const stopped = [...counts].filter(([s]) => STOPPED_EARLY.has(s)).reduce((a, [, n]) => a + n, 0)
    if (total > 0 && stopped / total > 0.5) lowReach.push(`${key} (${format(counts)})`)
  }
  const lines = ['', 'API fuzzing: statuses per route class (all cases | valid-shaped cases)']
  for (const [name, entry] of [...classes].sort()) {
    const total = [...entry.all.values()].reduce((a, b) => a + b, 0)
    const stopped = [...entry.all].filter(([s]) => STOPPED_EARLY.has(s)).reduce((a, [, n]) => a + n, 0)
    const reached = total === 0 ? 0 : Math.round((100 * (total - stopped)) / total)
    lines.push(
      `  ${name}: ${entry.routes} routes, ${total} cases, ${reached}% past auth and limits`,
      `    all:   ${format(entry.all)}`,
      `    valid: ${format(entry.valid)}`,
    )
  }
  if (lowReach.length > 0)
    lines.push('  routes where most cases stopped at 401/403/429:', ...lowReach.map((l) => `    ${l}`))
  if (process.env.FUZZ_VERBOSE)
    for (const [key] of fuzzed) lines.push(`  ${key}: ${format(harness.statuses.get(key) ?? new Map())}`)
  if (harness.disposableSessions > 1)
    lines.push(`  disposable better-auth accounts used: ${harness.disposableSessions}`)
  console.log(lines.join('\n'))
}
