import { describe, expect, it } from 'vitest'
import { buildTestApp } from '../../test/app.ts'
import { silentLogger } from '../../test/template.ts'
import { stop } from './serve.ts'

describe('graceful stop', () => {
  it('lets an in-flight request finish, then refuses new ones and closes the database', async () => {
    let entered: () => void = () => {}
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve
    })
    let release: () => void = () => {}
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    const t = await buildTestApp({
      plugins: [
        (app) => {
          app.get('/test/slow', { config: { access: 'public' } }, async () => {
            entered()
            await released
            return { finished: true }
          })
        },
      ],
    })
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 })
    const inflight = fetch(`${url}/test/slow`)
    await inHandler
    const stopping = stop(t.ctx, t.app, silentLogger)
    expect(t.ctx.lifecycle.state).toBe('stopping')
    release()
    const response = await inflight
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ finished: true })
    await stopping
    await expect(fetch(`${url}/health/live`)).rejects.toThrow()
    await expect(t.ctx.db.selectFrom('instances').selectAll().execute()).rejects.toThrow()
  })
})
