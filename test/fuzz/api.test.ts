import fc from 'fast-check'
import { afterAll, describe, expect, test } from 'vitest'
import { Harness, listRoutes, outcomeOf } from './harness.ts'
import { requestHints } from './hints.ts'
import { problemsOf } from './properties.ts'
import { REGRESSIONS } from './regressions.ts'
import { caseArbitrary } from './requests.ts'
import { printTally } from './tally.ts'

/**
 * Property-based fuzzing of every route the app registers (`app.routeTable`): FUZZ_RUNS cases
 * per route (200 by default) built from the route's own schema and from outside it (see
 * requests.ts), sent with `app.inject` on the suite's engine. Every answer must hold the
 * properties of properties.ts: no 5xx, the error shape on 4xx, no stack trace or database text.
 *
 * The seed is fixed (FUZZ_SEED overrides it); a failure prints the seed and the path of the
 * shrunk case, and FUZZ_PATH replays just that case:
 *   FUZZ_SEED=… FUZZ_PATH=… npx vitest run test/fuzz -t 'POST /api/orders'
 * Routes share one app, so a case can depend on what earlier routes created.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200)
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611)
const PATH = process.env.FUZZ_PATH

const harness = await Harness.create()
const routes = harness.routes
/** Cases run per route, and whether its property failed. */
const fuzzed = new Map<string, { cases: number; failed: boolean }>()

afterAll(async () => {
  printTally(harness, fuzzed)
  await harness.close()
})

describe('API fuzzing', () => {
  // First, on the app as built: the fuzzing below changes the catalog they rely on.
  test.each(REGRESSIONS)('regression: $bug', async (regression) => {
    const { method, url, payload, contentType } = regression
    const response = await harness.asAdmin(method, url, payload, contentType)
    const body = response.json()
    expect({ status: response.statusCode, code: body.error?.code }).toEqual({
      status: regression.status,
      code: regression.code,
    })
    if (regression.mentions) expect(body.error.message).toContain(regression.mentions)
    expect(
      problemsOf(`${regression.method} ${regression.url}`, outcomeOf(regression.method, response)),
    ).toEqual([])
  })

  for (const route of routes) {
    test(route.key, async () => {
      const record = { cases: 0, failed: false }
      fuzzed.set(route.key, record)
      const hints = requestHints(route.key, route.url, harness.wildcards, harness.authAccount)
      try {
        await fc.assert(
          fc.asyncProperty(caseArbitrary(route, hints), async (c) => {
            record.cases += 1
            const problems = await harness.check(route, c)
            if (problems.length > 0) throw new Error(problems.join('\n'))
          }),
          { numRuns: RUNS, seed: SEED, ...(PATH ? { path: PATH } : {}), reporter: shortReport },
        )
      } catch (error) {
        record.failed = true
        throw error
      }
      // The fuzzer's credentials survive every route, self-destructive ones included.
      expect(await harness.credentialsWork()).toBe(true)
    })
  }

  test('every registered route was fuzzed', () => {
    const all = listRoutes(harness.app)
    expect(all.length).toBeGreaterThan(250)
    const uncovered = all
      .filter((route) => {
        const record = fuzzed.get(route.key)
        return !record || (!record.failed && record.cases < RUNS)
      })
      .map((route) => route.key)
    expect(uncovered).toEqual([])
  })
})

/**
 * fast-check's report, and the problem, with long repetitions shortened: a 100 kB string in the
 * counterexample would bury the seed and the problem.
 */
function shortReport<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return
  const message = `${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`.replace(
    /(.{1,12}?)\1{49,}/gs,
    (run, unit: string) => `${unit.repeat(3)}…(${run.length / unit.length} × ${JSON.stringify(unit)})`,
  )
  throw new Error(message.length > 20_000 ? `${message.slice(0, 20_000)}…` : message)
}
