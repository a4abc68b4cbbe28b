import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { eventRoutes } from './routes.ts'
import { eventLogOf } from './stream.ts'

/** Reads an SSE response until `until` matches the text so far. */
async function readUntil(response: Response, until: (text: string) => boolean): Promise<string> {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  while (!until(text)) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
  }
  await reader.cancel()
  return text
}

describe('live events', () => {
  let t: TestApp
  let base: string
  let viewer: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({
      start: false,
      plugins: [(app, ctx) => eventRoutes(app, ctx, { path: '/test/events', heartbeatMs: 50 })],
    })
    eventLogOf(t.ctx).start(t.ctx)
    viewer = await as(t.ctx, 'viewer')
    base = await t.app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(() => t.close())

  const open = (headers: Record<string, string> = {}, path = '/test/events') =>
    fetch(`${base}${path}`, { headers: { ...viewer, ...headers } })

  it('streams named events with ids, sends heartbeats, and needs the viewer role', async () => {
    expect((await fetch(`${base}/api/events`)).status).toBe(401)
    const response = await open()
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const reading = readUntil(
      response,
      (text) => text.includes('event: order.created') && text.includes(': heartbeat'),
    )
    await publishBusinessEvent(t.ctx, 'order.created', { id: 'ord_1', totalBase: 12.5 })
    const text = await reading
    expect(text).toMatch(
      /id: [\w-]+\nevent: order\.created\ndata: \{"at":"[^"]+","id":"ord_1","totalBase":12\.5\}/,
    )
  })

  it('resumes after Last-Event-ID, and says reset when the id is unknown', async () => {
    for (const sku of ['A', 'B', 'C']) await publishBusinessEvent(t.ctx, 'stock.changed', { sku })
    const idOfB = eventLogOf(t.ctx)
      .recent()
      .find((e) => (e.data as { sku?: string }).sku === 'B')!.id
    const resumed = await readUntil(await open({ 'last-event-id': idOfB }), (text) =>
      text.includes('"sku":"C"'),
    )
    expect(resumed).toContain('retry: 3000')
    expect(resumed).not.toContain('"sku":"B"')
    expect(resumed).toContain('"sku":"C"')
    const reset = await readUntil(await open({ 'last-event-id': 'gone-long-ago' }), (text) =>
      text.includes('event: reset'),
    )
    expect(reset).toContain('event: reset')
  })

  it('answers HEAD with the stream headers and ends the response', async () => {
    // On a raw socket with `Connection: close`: the server closes it only once the response has
    // ended (a HEAD that opened a stream would keep it open).
    const { hostname, port } = new URL(base)
    const socket = connect(Number(port), hostname)
    socket.write(
      `HEAD /test/events HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${viewer.authorization}\r\nConnection: close\r\n\r\n`,
    )
    let text = ''
    for await (const chunk of socket) text += chunk
    expect(text).toMatch(/^HTTP\/1\.1 200/)
    expect(text).toContain('content-type: text/event-stream')
    expect(text).not.toContain('retry:')
  })
})
