/**
 * The summary table of the latest full run in bench/README.md, between two marker comments. Pure:
 * the caller reads and writes the file.
 */
import { type Comparison, formatChange, formatFigure } from './compare.ts'
import type { Figure, Goal } from './figures.ts'

export const START_MARKER = '<!-- bench-summary:start -->'
export const END_MARKER = '<!-- bench-summary:end -->'

/** `text` with what lies between the markers replaced by `content`; throws when a marker is missing. */
export function replaceBetweenMarkers(text: string, content: string): string {
  const start = text.indexOf(START_MARKER)
  const end = text.indexOf(END_MARKER)
  if (start < 0 || end < 0 || end < start)
    throw new Error(`bench/README.md needs the markers ${START_MARKER} and ${END_MARKER}, in that order`)
  return `${text.slice(0, start + START_MARKER.length)}\n\n${content.trim()}\n\n${text.slice(end)}`
}

export function formatGoal(goal: Goal, unit: string): string {
  return `${goal.op === '>=' ? '≥' : '≤'} ${formatFigure(goal.value, unit)}`
}

/** A Markdown table with padded cells (as Biome formats them); `right` columns are right-aligned. */
export function markdownTable(header: string[], rows: string[][], right: boolean[] = []): string {
  const escapePipes = (cell: string) => cell.replaceAll('|', '\\|')
  const cells = [header, ...rows].map((row) => row.map(escapePipes))
  const widths = header.map((_, i) => Math.max(3, ...cells.map((row) => [...(row[i] ?? '')].length)))
  const pad = (cell: string, i: number) => {
    const fill = ' '.repeat(widths[i]! - [...cell].length)
    return right[i] ? fill + cell : cell + fill
  }
  const line = (row: string[]) => `| ${row.map(pad).join(' | ')} |`
  const rule = `| ${widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n')
}

export interface SummaryInput {
  file: string
  quick: boolean
  startedAt: string
  commit: { commit: string; uncommittedChanges: number }
  engine: string
  machine: { cpus: number; totalMemoryMb: number; loadAverage: { start: number[]; end: number[] } }
  durationSeconds: number
  benches: { name: string; status: string; reason?: string; figures: Figure[] }[]
  comparedWith: string | null
  comparison: Comparison[]
}

/** The section between the markers: what ran, and one row per headline figure. */
export function summaryMarkdown(run: SummaryInput): string {
  const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ')
  const lines = [
    `${run.quick ? 'Latest run, a quick one (small scales: not comparable with full runs)' : 'Latest full run'}: \`bench/results/${run.file}\`, ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC, ` +
      `commit \`${run.commit.commit}\`` +
      (run.commit.uncommittedChanges > 0 ? ` + ${run.commit.uncommittedChanges} uncommitted app files` : '') +
      `, engine ${run.engine}, ${Math.round(run.durationSeconds / 60)} min. Machine: ${run.machine.cpus} CPUs, ` +
      `${(run.machine.totalMemoryMb / 1024).toFixed(1)} GB; load average (1 / 5 / 15 min) ${load(run.machine.loadAverage.start)} ` +
      `at the start, ${load(run.machine.loadAverage.end)} at the end. ` +
      (run.comparedWith
        ? `"Previous" is \`bench/results/${run.comparedWith}\`.`
        : `No earlier ${run.quick ? 'quick' : 'full'} run on this engine to compare with.`),
  ]
  const notRun = run.benches.filter((bench) => bench.status !== 'ok')
  if (notRun.length > 0)
    lines.push(
      '',
      `Not measured: ${notRun.map((bench) => `${bench.name} (${bench.status}${bench.reason ? `: ${bench.reason}` : ''})`).join('; ')}.`,
    )
  const compared = new Map(run.comparison.map((row) => [row.name, row]))
  const rows = run.benches.flatMap((bench) =>
    bench.figures.map((figure) => {
      const row = compared.get(figure.name)
      return [
        figure.bench,
        figure.detail ? `${figure.name} (${figure.detail})` : figure.name,
        formatFigure(figure.value, figure.unit),
        figure.goal ? formatGoal(figure.goal, figure.unit) : '—',
        figure.pass === undefined ? '—' : figure.pass ? 'pass' : '**miss**',
        row ? formatFigure(row.previous, row.unit) : '—',
        row ? `${formatChange(row.changePercent)}${row.regression ? ' **regression**' : ''}` : '—',
      ]
    }),
  )
  lines.push(
    '',
    rows.length > 0
      ? markdownTable(['bench', 'figure', 'value', 'goal', 'result', 'previous', 'change'], rows, [
          false,
          false,
          true,
          false,
          false,
          true,
          false,
        ])
      : 'No headline figure was measured.',
  )
  return lines.join('\n')
}
