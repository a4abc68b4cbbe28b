import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeTestContext, createTestContext } from '../../../test/app.ts'
import type { AppContext } from '../../context.ts'
import { arrayLiteral, unnestRows } from './unnest.ts'

/** Rows sent as array literals come back from the database exactly as they went in. */
describe('unnest', () => {
  let ctx: AppContext
  beforeAll(async () => {
    ctx = await createTestContext({ start: false })
  })
  afterAll(() => closeTestContext(ctx))

  it('reads back every string, number, null and time unchanged', async () => {
    const texts = [
      'plain',
      '',
      'NULL',
      'a,b',
      '{x}',
      'say "hi"',
      'back\\slash',
      ' padded ',
      'line\nbreak',
      'ü€😀',
      null,
    ]
    const sent = texts.map((label, i) => ({
      label,
      count: i % 3 === 0 ? null : i - 5,
      amount: [12.34, 0, 1e-7, 99999999.99][i % 4]!,
      at: new Date(Date.UTC(2026, 0, 1 + i, 12)).toISOString(),
    }))
    const { rows } = await sql<{ label: string | null; count: number | null; amount: string; at: Date }>`
      select label, count, amount, at from ${unnestRows(sent, {
        label: 'text',
        count: 'int',
        amount: 'numeric',
        at: 'timestamptz',
      })}`.execute(ctx.db)
    expect(rows.map((r) => r.label)).toEqual(texts)
    expect(rows.map((r) => r.count)).toEqual(sent.map((s) => s.count))
    expect(rows.map((r) => Number(r.amount))).toEqual(sent.map((s) => s.amount))
    expect(rows.map((r) => new Date(r.at).toISOString())).toEqual(sent.map((s) => s.at))
  })

  it('refuses numbers that are not finite', () => {
    expect(() => arrayLiteral([Number.NaN])).toThrow('NaN cannot be stored as a number')
    expect(() => unnestRows([{ n: Number.POSITIVE_INFINITY }], { n: 'numeric' })).toThrow('Infinity')
  })

  it('writes literals PostgreSQL reads as one element per value', () => {
    expect(arrayLiteral(['a"b', 'c\\d', null, 3])).toBe('{"a\\"b","c\\\\d",NULL,3}')
  })
})
