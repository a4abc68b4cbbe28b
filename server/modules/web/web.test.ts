import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/app.ts'

describe('web app serving', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sentia-web-'))
  let t: TestApp
  beforeAll(async () => {
    mkdirSync(path.join(dir, 'assets'))
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>app</title><div id="root"></div>')
    writeFileSync(path.join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)')
    writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
    t = await buildTestApp({ start: false, env: { WEB_DIR: dir } })
  })
  afterAll(async () => {
    await t.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves index.html, never cached, with the document policy, for / and client routes', async () => {
    for (const url of ['/', '/orders/123', '/ops?tab=alerts']) {
      const res = await t.app.inject({ url })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['content-type']).toContain('text/html')
      expect(res.headers['cache-control']).toBe('no-cache')
      expect(res.headers['content-security-policy']).toContain("script-src 'self'")
      expect(res.body).toContain('<div id="root">')
    }
  })

  it('serves hashed assets as immutable for a year, and 404 for a missing one', async () => {
    const res = await t.app.inject({ url: '/assets/index-AbC123.js' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(res.body).toBe('console.log(1)')
    expect((await t.app.inject({ url: '/assets/nope-123.js' })).statusCode).toBe(404)
  })

  it('serves top-level files such as the favicon', async () => {
    const res = await t.app.inject({ url: '/favicon.svg' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('image/svg+xml')
  })

  it('never serves files outside the build', async () => {
    for (const url of [
      '/assets/../../../etc/passwd',
      '/assets/%2e%2e/%2e%2e/etc/passwd',
      '/../package.json',
    ]) {
      const res = await t.app.inject({ url })
      expect(res.body, url).not.toContain('root:')
      expect(res.body, url).not.toContain('"dependencies"')
    }
  })

  it('answers unknown API paths with the JSON 404, not the app', async () => {
    const res = await t.app.inject({ url: '/api/no-such-thing' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({
      error: expect.objectContaining({
        code: 'NOT_FOUND',
        message: 'Route GET /api/no-such-thing not found',
      }),
    })
  })
})

describe('web app not built', () => {
  it('answers 503 with the reason instead of a blank page', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'sentia-web-empty-'))
    const t = await buildTestApp({ start: false, env: { WEB_DIR: empty } })
    try {
      const res = await t.app.inject({ url: '/' })
      expect(res.statusCode).toBe(503)
      expect(res.json().error.message).toContain('npm run build')
    } finally {
      await t.close()
      rmSync(empty, { recursive: true, force: true })
    }
  })
})
