import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { REPORTS_PER_MINUTE } from './routes.ts'
import { releaseOf, STACK_LIMIT } from './service.ts'

/** A render error as Chrome reports it from the built app; `hash` and `column` change with every build. */
function webStack(hash: string, column: number): string {
  return [
    "TypeError: Cannot read properties of undefined (reading 'sku')",
    `    at ProductRow (https://sentia.example.com/assets/InventoryPage-${hash}.js:1:${column})`,
    `    at Ts (https://sentia.example.com/assets/index-${hash}.js:8:${column + 4000})`,
  ].join('\n')
}

describe('errors reported by the web app', () => {
  let t: TestApp
  const clock = new TestClock('2026-03-02T12:00:00Z')
  let viewer: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false })
    viewer = await as(t.ctx, 'viewer')
  })
  afterAll(() => t.close())

  const report = (payload: unknown, headers: Record<string, string> = viewer) =>
    t.app.inject({ method: 'POST', url: '/api/errors/report', headers, payload: payload as object })

  it('refuses a report from someone not signed in', async () => {
    const res = await report({ type: 'TypeError', message: 'x' }, {})
    expect(res.statusCode).toBe(401)
    expect(res.json().error.code).toBe('UNAUTHORIZED')
  })

  it.each([
    ['no type', { message: 'x' }],
    ['an empty type', { type: '', message: 'x' }],
    ['an unknown field', { type: 'TypeError', message: 'x', headers: { cookie: 'y' } }],
    ['a stack over the limit', { type: 'TypeError', message: 'x', stack: 'a'.repeat(STACK_LIMIT + 1) }],
    ['a number as message', { type: 'TypeError', message: 42 }],
  ])('refuses a body with %s', async (_what, payload) => {
    const res = await report(payload)
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('VALIDATION_FAILED')
  })

  it('groups one bug reported from two builds, keeping the page path without query or fragment', async () => {
    const first = await report({
      type: 'TypeError',
      message: "Cannot read properties of undefined (reading 'sku')",
      stack: webStack('Dk29aQz8', 1200),
      url: 'https://sentia.example.com/inventory?token=page-token-value#row-4',
      release: 'web-2026.03.01',
    })
    expect(first.statusCode).toBe(202)
    clock.advance(60_000)
    const second = await report({
      type: 'TypeError',
      message: "Cannot read properties of undefined (reading 'sku')",
      stack: webStack('BQ3aXc1_', 4711),
      url: 'https://sentia.example.com/inventory',
    })
    expect(second.statusCode).toBe(202)

    const groups = await t.ctx.db.selectFrom('error_groups').selectAll().execute()
    expect(groups).toHaveLength(1)
    expect(groups[0]).toMatchObject({
      source: 'web',
      type: 'TypeError',
      count: '2',
      route: '/inventory',
      first_release: 'web-2026.03.01',
      // without a release of its own, a report is put down to the release being served
      last_release: releaseOf(t.ctx.config),
      sample_request_id: null,
    })
    expect(JSON.stringify(groups)).not.toContain('page-token-value')
    expect(groups[0]!.sample_stack).toContain('InventoryPage-BQ3aXc1_.js')

    const listed = await t.app.inject({ url: '/api/errors?source=web', headers: await as(t.ctx, 'operator') })
    expect(listed.json().items).toHaveLength(1)
  })

  it(`accepts ${REPORTS_PER_MINUTE} reports a minute from one caller, then answers 429`, async () => {
    const manager = await as(t.ctx, 'manager')
    for (let i = 0; i < REPORTS_PER_MINUTE; i++) {
      const res = await report({ type: 'Error', message: `render loop ${i}` }, manager)
      expect(res.statusCode).toBe(202)
    }
    const refused = await report({ type: 'Error', message: 'one too many' }, manager)
    expect(refused.statusCode).toBe(429)
    expect(refused.json().error.code).toBe('RATE_LIMITED')
    // another caller has its own budget
    expect((await report({ type: 'Error', message: 'elsewhere' })).statusCode).toBe(202)
    const loop = await t.ctx.db
      .selectFrom('error_groups')
      .select(['count', 'message'])
      .where('message', 'like', 'render loop%')
      .execute()
    expect(loop).toEqual([
      { count: String(REPORTS_PER_MINUTE), message: `render loop ${REPORTS_PER_MINUTE - 1}` },
    ])
  })
})
