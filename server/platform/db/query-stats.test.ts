import { describe, expect, it } from 'vitest'
import { fingerprint, operation, QueryStats } from './query-stats.ts'

describe('fingerprint', () => {
  it('replaces literals, parameters and value lists', () => {
    expect(fingerprint("SELECT * FROM orders WHERE status = 'pending' AND id > 42")).toBe(
      'SELECT * FROM orders WHERE status = ? AND id > ?',
    )
    expect(fingerprint('select * from t where id = $1 and x in ($2, $3, $4)')).toBe(
      'select * from t where id = ? and x in (?, ...)',
    )
    expect(fingerprint('insert into t (a, b) values ($1, $2), ($3, $4), ($5, $6)')).toBe(
      'insert into t (a, b) values (?, ...), ...',
    )
    expect(fingerprint("select 'it''s' -- note\n  from   t /* c */")).toBe('select ? from t')
  })

  it('keeps identifiers with digits intact', () => {
    expect(fingerprint('select col1 from table2')).toBe('select col1 from table2')
  })
})

describe('operation', () => {
  it('is the first keyword', () => {
    expect(operation('  select 1')).toBe('SELECT')
    expect(operation('/* x */ INSERT INTO t')).toBe('INSERT')
    expect(operation('')).toBe('OTHER')
  })
})

describe('QueryStats', () => {
  it('aggregates calls, errors, total, mean and max per fingerprint, slowest mean first', () => {
    const stats = new QueryStats()
    stats.record('select * from a where id = 1', 10, false)
    stats.record('select * from a where id = 2', 30, true)
    stats.record('select * from b', 5, false)
    expect(stats.slowest(10)).toEqual([
      {
        fingerprint: 'select * from a where id = ?',
        calls: 2,
        errors: 1,
        totalMs: 40,
        meanMs: 20,
        maxMs: 30,
      },
      { fingerprint: 'select * from b', calls: 1, errors: 0, totalMs: 5, meanMs: 5, maxMs: 5 },
    ])
    expect(stats.slowest(1)).toHaveLength(1)
  })

  it('keeps a bounded number of fingerprints, evicting the rarest', () => {
    const stats = new QueryStats(2)
    stats.record('select a', 1, false)
    stats.record('select a', 1, false)
    stats.record('select b', 1, false)
    stats.record('select c', 1, false)
    expect(stats.size).toBe(2)
    expect(stats.slowest(10).map((s) => s.fingerprint)).toEqual(
      expect.arrayContaining(['select a', 'select c']),
    )
  })
})
