/** The benchmark suite's parts (bench/run.ts): no bench and no app runs here. */
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { ensureDatabase } from '../bench/lib.ts'
import { compareFigures, formatChange, formatValue } from '../bench/suite/compare.ts'
import { type Figure, GOALS, headlineFigures } from '../bench/suite/figures.ts'
import {
  END_MARKER,
  markdownTable,
  replaceBetweenMarkers,
  START_MARKER,
  summaryMarkdown,
} from '../bench/suite/readme.ts'
import {
  jsonFromOutput,
  nextResultName,
  parseResultName,
  pickPrevious,
  type StoredRun,
} from '../bench/suite/results.ts'

const figure = (name: string, value: number, better: 'higher' | 'lower', unit = '×'): Figure => ({
  bench: 'b',
  name,
  value,
  unit,
  better,
})

describe('comparing with the previous run', () => {
  it('flags a figure worse by more than the threshold, in the direction it is better in', () => {
    const rows = compareFigures(
      [
        figure('ratio up, lower is better', 1.2, 'lower'),
        figure('rate down, higher is better', 850, 'higher', 'rows/s'),
        figure('rate up, higher is better', 1200, 'higher', 'rows/s'),
        figure('within the noise', 1.05, 'lower'),
      ],
      [
        figure('ratio up, lower is better', 1.0, 'lower'),
        figure('rate down, higher is better', 1000, 'higher', 'rows/s'),
        figure('rate up, higher is better', 1000, 'higher', 'rows/s'),
        figure('within the noise', 1.0, 'lower'),
      ],
      10,
    )
    expect(rows.map((r) => [r.name, r.changePercent, r.regression, r.improvement])).toEqual([
      ['ratio up, lower is better', 20, true, false],
      ['rate down, higher is better', -15, true, false],
      ['rate up, higher is better', 20, false, true],
      ['within the noise', 5, false, false],
    ])
  })

  it('compares only figures present in both runs, and honours the threshold', () => {
    const rows = compareFigures(
      [figure('both', 88, 'higher', '%'), figure('new', 1, 'lower')],
      [figure('both', 100, 'higher', '%'), figure('gone', 1, 'lower')],
      15,
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ name: 'both', changePercent: -12, regression: false })
    expect(
      compareFigures([figure('both', 88, 'higher', '%')], [figure('both', 100, 'higher', '%')], 10)[0],
    ).toMatchObject({ regression: true })
  })

  it('gives no change for a previous value of 0', () => {
    const [row] = compareFigures([figure('z', 5, 'lower')], [figure('z', 0, 'lower')])
    expect(row).toMatchObject({ changePercent: null, regression: false })
    expect(formatChange(null)).toBe('n/a')
    expect(formatChange(12.34)).toBe('+12.3%')
    expect(formatChange(-3)).toBe('−3.0%')
  })

  it('formats values for people', () => {
    expect(formatValue(20123.4)).toBe('20,123')
    expect(formatValue(88.64)).toBe('88.6')
    expect(formatValue(1.084)).toBe('1.08')
    expect(formatValue(0.0023)).toBe('0.0023')
  })
})

describe('results files', () => {
  it('names a run by its date, then -2, -3 for later runs that day; quick runs apart', () => {
    expect(nextResultName([], '2026-12-01', false)).toBe('2026-12-01.json')
    expect(nextResultName(['2026-12-01.json', 'quick-2026-12-01.json'], '2026-12-01', false)).toBe(
      '2026-12-01-2.json',
    )
    expect(nextResultName(['2026-12-01.json', '2026-12-01-2.json'], '2026-12-01', false)).toBe(
      '2026-12-01-3.json',
    )
    expect(nextResultName(['2026-12-01.json'], '2026-12-01', true)).toBe('quick-2026-12-01.json')
    expect(nextResultName(['2026-11-30.json', 'notes.txt'], '2026-12-01', false)).toBe('2026-12-01.json')
    expect(parseResultName('quick-2026-12-01-4.json')).toEqual({
      file: 'quick-2026-12-01-4.json',
      quick: true,
      date: '2026-12-01',
      sequence: 4,
    })
    expect(parseResultName('2026-12-01-1.json')).toBeUndefined()
    expect(parseResultName('README.md')).toBeUndefined()
  })

  it('compares with the newest earlier run of the same kind and engine', () => {
    const runs: Record<string, StoredRun> = {
      '2026-11-29.json': { quick: false, engine: 'postgres', benches: [] },
      '2026-11-30.json': { quick: false, engine: 'postgres', benches: [] },
      '2026-11-30-2.json': { quick: false, engine: 'pglite', benches: [] },
      'quick-2026-12-01.json': { quick: true, engine: 'postgres', benches: [] },
      '2026-12-02.json': { quick: false, engine: 'postgres', benches: [] },
    }
    const files = [...Object.keys(runs), 'broken.json']
    const read = (file: string) => runs[file]
    expect(
      pickPrevious(files, { file: '2026-12-01.json', quick: false, engine: 'postgres' }, read)?.file,
    ).toBe('2026-11-30.json')
    expect(pickPrevious(files, { file: '2026-12-01.json', quick: false, engine: 'pglite' }, read)?.file).toBe(
      '2026-11-30-2.json',
    )
    expect(
      pickPrevious(files, { file: 'quick-2026-12-01-2.json', quick: true, engine: 'postgres' }, read)?.file,
    ).toBe('quick-2026-12-01.json')
    expect(
      pickPrevious(files, { file: '2026-11-29.json', quick: false, engine: 'postgres' }, read),
    ).toBeUndefined()
  })

  it("finds a bench's JSON after other output", () => {
    expect(jsonFromOutput('{"a":1}\n')).toEqual({ a: 1 })
    expect(jsonFromOutput('{"level":40,"msg":"warn"}\n{\n  "b": {\n    "c": 2\n  }\n}\n')).toEqual({
      b: { c: 2 },
    })
    expect(jsonFromOutput('no json here')).toBeUndefined()
    expect(jsonFromOutput('')).toBeUndefined()
  })
})

describe('headline figures', () => {
  it('takes the ratios and goals of the http bench', () => {
    const figures = headlineFigures(
      'http',
      {
        engine: 'postgres',
        summary: [
          { name: 'bare fastify GET /', requestsPerSecond: 20_000 },
          { name: 'app GET /health/live', requestsPerSecond: 17_500 },
          { name: 'app GET /health', requestsPerSecond: 11_000 },
        ],
        memory: { idle: { rssBytes: 160 * 1024 * 1024 } },
      },
      'postgres',
    )
    expect(figures.map((f) => [f.name, f.value, f.pass])).toEqual([
      ['/health/live ÷ bare', 87.5, true],
      ['/health ÷ bare', 55, false],
      ['idle RSS', 160, false],
    ])
    expect(figures[2]!.goal).toEqual(GOALS.idleRssMb.postgres)
  })

  it('leaves out figures whose inputs are missing', () => {
    expect(
      headlineFigures('backup', { medians: { backupRatio: 1.08 } }, 'postgres').map((f) => f.name),
    ).toEqual(['backup ÷ pg_dump'])
    expect(headlineFigures('unknown', {}, 'pglite')).toEqual([])
  })

  it('reads the SSE goal as every client within 1 s', () => {
    const [within] = headlineFigures(
      'sse',
      { clients: 1000, fanOut: { worst: { withinGoal: 985, p95Ms: 950 } } },
      'pglite',
    )
    expect(within).toMatchObject({ value: 985, pass: false, goal: { op: '>=', value: 1000 } })
  })
})

describe('the README summary', () => {
  const readme = `# Title\n\nintro\n\n${START_MARKER}\n\nold table\n\n${END_MARKER}\n\n## Next\n`

  it('replaces only what lies between the markers', () => {
    const next = replaceBetweenMarkers(readme, 'new table')
    expect(next).toBe(`# Title\n\nintro\n\n${START_MARKER}\n\nnew table\n\n${END_MARKER}\n\n## Next\n`)
    expect(replaceBetweenMarkers(next, 'new table')).toBe(next)
    expect(() => replaceBetweenMarkers('# no markers', 'x')).toThrow(/markers/)
  })

  it('pads tables as Biome does', () => {
    expect(
      markdownTable(
        ['a', 'value'],
        [
          ['long cell', '1'],
          ['b', '1,000'],
        ],
        [false, true],
      ),
    ).toBe(
      [
        '| a         | value |',
        '| --------- | ----: |',
        '| long cell |     1 |',
        '| b         | 1,000 |',
      ].join('\n'),
    )
  })

  it('has a row per figure with goal, result, previous value and change', () => {
    const text = summaryMarkdown({
      file: '2026-12-01.json',
      quick: false,
      startedAt: '2026-12-01T10:00:00.000Z',
      commit: { commit: 'abc1234', uncommittedChanges: 0 },
      engine: 'postgres',
      machine: { cpus: 2, totalMemoryMb: 24_000, loadAverage: { start: [1, 1, 1], end: [2, 2, 2] } },
      durationSeconds: 1500,
      benches: [
        {
          name: 'backup',
          status: 'ok',
          figures: [
            {
              bench: 'backup',
              name: 'backup ÷ pg_dump',
              value: 1.3,
              unit: '×',
              better: 'lower',
              goal: { op: '<=', value: 1.2 },
              pass: false,
            },
          ],
        },
        { name: 'web', status: 'skipped', reason: 'needs Chromium', figures: [] },
      ],
      comparedWith: '2026-11-30.json',
      comparison: [
        {
          bench: 'backup',
          name: 'backup ÷ pg_dump',
          unit: '×',
          value: 1.3,
          previous: 1.08,
          changePercent: 20.4,
          regression: true,
          improvement: false,
        },
      ],
    })
    expect(text).toContain(
      'Latest full run: `bench/results/2026-12-01.json`, 2026-12-01 10:00 UTC, commit `abc1234`',
    )
    expect(text).toContain('Not measured: web (skipped: needs Chromium)')
    expect(text).toMatch(
      /\| backup \| backup ÷ pg_dump \| +1\.30× \| ≤ 1\.20× \| \*\*miss\*\* \| +1\.08× \| \+20\.4% \*\*regression\*\* \|/,
    )
  })

  it('is marked in bench/README.md', () => {
    const text = readFileSync(new URL('../bench/README.md', import.meta.url), 'utf8')
    expect(text.indexOf(START_MARKER)).toBeGreaterThan(0)
    expect(text.indexOf(END_MARKER)).toBeGreaterThan(text.indexOf(START_MARKER))
  })
})

describe.runIf(process.env.DATABASE_URL)('the database DATABASE_URL names', () => {
  it('is created when missing, and left alone when it exists', async () => {
    const name = `sentia_bench_ensure_${process.pid}`
    const url = new URL(process.env.DATABASE_URL!)
    url.pathname = `/${name}`
    try {
      expect(await ensureDatabase(url.toString())).toBe(true)
      expect(await ensureDatabase(url.toString())).toBe(false)
    } finally {
      url.pathname = '/postgres'
      const client = new pg.Client({ connectionString: url.toString() })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
    }
  })
})
