import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { insertDemoCatalog } from '../demo/catalog.ts'

describe('GET /api/production/downtime', () => {
  let t: TestApp
  let viewer: { authorization: string }

  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock: new TestClock('2026-03-10T12:00:00Z') })
    await insertDemoCatalog(t.ctx.db)
    const batch = (id: string, line: string, day: string) => ({
      id,
      line_code: line,
      sku: 'GABA-RED',
      location_code: 'FACTORY',
      lot: id,
      status: 'completed' as const,
      planned_quantity: 1000,
      planned_start: `${day}T06:00:00Z`,
      planned_end: `${day}T14:00:00Z`,
      started_at: `${day}T06:00:00Z`,
      ended_at: `${day}T15:00:00Z`,
    })
    await t.ctx.db
      .insertInto('production_batches')
      .values([
        batch('b1', 'LINE-1', '2026-03-04'),
        batch('b2', 'LINE-2', '2026-03-06'),
        batch('b3', 'LINE-1', '2026-03-09'),
        batch('old', 'LINE-1', '2026-02-01'),
      ])
      .execute()
    const stop = (batch_id: string, reason: string, minutes: number, started_at: string) => ({
      batch_id,
      reason,
      minutes,
      started_at,
    })
    await t.ctx.db
      .insertInto('production_downtime')
      .values([
        stop('b1', 'changeover', 30, '2026-03-04T07:00:00Z'),
        stop('b1', 'label jam', 12, '2026-03-04T09:00:00Z'),
        stop('b2', 'changeover', 25, '2026-03-06T07:00:00Z'),
        stop('b2', 'label jam', 8, '2026-03-06T08:00:00Z'),
        stop('b2', 'label jam', 15, '2026-03-06T10:00:00Z'),
        stop('b3', 'cleaning', 40, '2026-03-09T11:00:00Z'),
        stop('old', 'cleaning', 500, '2026-02-01T07:00:00Z'),
      ])
      .execute()
    viewer = await as(t.ctx, 'viewer')
  })
  afterAll(() => t.close())

  const get = (query = '') =>
    t.app.inject({ method: 'GET', url: `/api/production/downtime${query}`, headers: viewer })

  it('sums minutes and stops per reason and line over the last 7 days by default, most minutes first', async () => {
    const res = await get()
    expect(res.statusCode).toBe(200)
    // 2026-03-03T12:00Z to 2026-03-10T12:00Z: changeover 30 + 25, label jam 12 + 8 + 15, cleaning 40;
    // the stop of 1 February is outside.
    expect(res.json()).toEqual({
      from: '2026-03-03T12:00:00.000Z',
      to: '2026-03-10T12:00:00.000Z',
      line: null,
      minutes: 130,
      occurrences: 6,
      reasons: [
        {
          reason: 'changeover',
          minutes: 55,
          occurrences: 2,
          lines: [
            { line: 'LINE-1', minutes: 30, occurrences: 1 },
            { line: 'LINE-2', minutes: 25, occurrences: 1 },
          ],
        },
        {
          reason: 'cleaning',
          minutes: 40,
          occurrences: 1,
          lines: [{ line: 'LINE-1', minutes: 40, occurrences: 1 }],
        },
        {
          reason: 'label jam',
          minutes: 35,
          occurrences: 3,
          lines: [
            { line: 'LINE-2', minutes: 23, occurrences: 2 },
            { line: 'LINE-1', minutes: 12, occurrences: 1 },
          ],
        },
      ],
      lines: [
        { line: 'LINE-1', minutes: 82, occurrences: 3 },
        { line: 'LINE-2', minutes: 48, occurrences: 3 },
      ],
    })
  })

  it('filters by line and by [from, to)', async () => {
    const lineTwo = (await get('?line=LINE-2')).json()
    expect(lineTwo).toMatchObject({ line: 'LINE-2', minutes: 48, occurrences: 3 })
    expect(lineTwo.reasons.map((r: { reason: string; minutes: number }) => [r.reason, r.minutes])).toEqual([
      ['changeover', 25],
      ['label jam', 23],
    ])
    // from is inclusive, to exclusive: the stop at 07:00 on 4 March is out, the one at 09:00 in
    const window = (await get('?from=2026-03-04T07:00:01Z&to=2026-03-06T08:00:00Z')).json()
    expect(window.reasons).toEqual([
      {
        reason: 'changeover',
        minutes: 25,
        occurrences: 1,
        lines: [{ line: 'LINE-2', minutes: 25, occurrences: 1 }],
      },
      {
        reason: 'label jam',
        minutes: 12,
        occurrences: 1,
        lines: [{ line: 'LINE-1', minutes: 12, occurrences: 1 }],
      },
    ])
    const year = (await get('?from=2026-01-01T00:00:00Z&line=LINE-1')).json()
    expect(year.reasons[0]).toMatchObject({ reason: 'cleaning', minutes: 540, occurrences: 2 })
    const none = (await get('?line=LINE-9')).json()
    expect(none).toMatchObject({ minutes: 0, occurrences: 0, reasons: [], lines: [] })
  })

  it('refuses bad windows and values with 400 and the error shape', async () => {
    for (const query of [
      '?from=2026-03-10T00:00:00Z&to=2026-03-01T00:00:00Z',
      '?from=2024-01-01T00:00:00Z',
      '?from=yesterday',
      '?line=line%201',
      '?by=line',
    ]) {
      const res = await get(query)
      expect(res.statusCode, query).toBe(400)
      expect(res.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String) })
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/production/downtime' })).statusCode).toBe(401)
  })
})
