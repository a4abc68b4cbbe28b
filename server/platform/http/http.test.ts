import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/app.ts'
import { AppError } from './errors.ts'

/** The HTTP platform through real requests: request ids, error shapes, limits, access declarations. */
describe('HTTP platform', () => {
  let t: TestApp

  beforeAll(async () => {
    t = await buildTestApp({
      start: false,
      env: { BODY_LIMIT_BYTES: '2048' },
      plugins: [
        (app) => {
          app.post(
            '/test/echo',
            {
              config: { access: 'public' },
              schema: {
                body: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
              },
            },
            async (request) => ({ echoed: request.body }),
          )
          app.get('/test/crash', { config: { access: 'public' } }, async () => {
            throw new Error('secret internal detail at /srv/app.ts:12')
          })
          app.get('/test/conflict', { config: { access: 'public' } }, async () => {
            throw new AppError(409, 'ORDER_EXISTS', 'Order already exists', { id: 7 })
          })
        },
      ],
    })
  })
  afterAll(() => t.close())

  it('echoes a caller-supplied request id and generates one otherwise', async () => {
    const given = await t.app.inject({ url: '/health/live', headers: { 'x-request-id': 'abc-123' } })
    expect(given.headers['x-request-id']).toBe('abc-123')
    const generated = await t.app.inject({ url: '/health/live' })
    const id = /^([\w-]{8})-([0-9a-z]+)$/
    const [, prefix, sequence] = String(generated.headers['x-request-id']).match(id) ?? []
    expect(prefix).toBeTruthy()
    const unsafe = await t.app.inject({
      url: '/health/live',
      headers: { 'x-request-id': 'bad id\nwith newline' },
    })
    const [, samePrefix, next] = String(unsafe.headers['x-request-id']).match(id) ?? []
    expect(samePrefix).toBe(prefix)
    expect(Number.parseInt(String(next), 36)).toBeGreaterThan(Number.parseInt(String(sequence), 36))
  })

  it('answers an unknown route with 404 in the error shape', async () => {
    // every other GET that is not an API path is the web app's (client routes)
    const res = await t.app.inject({ method: 'POST', url: '/nope?x=1' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Route POST /nope not found' } })
    const api = await t.app.inject({ url: '/api/nope?x=1' })
    expect(api.statusCode).toBe(404)
    expect(api.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Route GET /api/nope not found' } })
  })

  it('rejects malformed JSON with 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('MALFORMED_JSON')
  })

  it('rejects a body over the limit with 413', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'x'.repeat(4096) } })
    expect(res.statusCode).toBe(413)
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('rejects an unsupported content type with 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<name>x</name>',
    })
    expect(res.statusCode).toBe(415)
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  it('reports schema violations as 400 with details', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/echo', payload: { name: '', extra: 1 } })
    expect(res.statusCode).toBe(400)
    const body = res.json()
    expect(body.error.code).toBe('VALIDATION_FAILED')
    expect(Array.isArray(body.error.details)).toBe(true)
    const ok = await t.app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'Gin' } })
    expect(ok.json()).toEqual({ echoed: { name: 'Gin' } })
  })

  it('maps typed errors to their status, code and details', async () => {
    const res = await t.app.inject({ url: '/test/conflict' })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toEqual({
      error: { code: 'ORDER_EXISTS', message: 'Order already exists', details: { id: 7 } },
    })
  })

  it('turns unknown errors into a plain 500 with the request id and no stack', async () => {
    const res = await t.app.inject({ url: '/test/crash', headers: { 'x-request-id': 'req-500' } })
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({
      error: { code: 'INTERNAL', message: 'Internal server error', requestId: 'req-500' },
    })
    expect(res.body).not.toContain('secret internal detail')
    expect(res.body).not.toContain('.ts:')
  })

  it('serves the OpenAPI document generated from the route schemas', async () => {
    const res = await t.app.inject({ url: '/docs/json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/api/metrics/slow-queries']))
    expect(doc.paths['/api/metrics/slow-queries'].get.parameters[0].name).toBe('limit')
  })
})

describe('route access declarations', () => {
  it('refuses to start an app with a route that does not declare who may call it', async () => {
    await expect(
      buildTestApp({
        start: false,
        plugins: [(app) => void app.get('/test/unguarded', async () => ({ ok: true }))],
      }),
    ).rejects.toThrow(/GET \/test\/unguarded/)
  })
})
