import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { eventLogOf, frame } from './stream.ts'

export interface StreamOptions {
  path: string
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number
}

/**
 * `GET /api/events`: business events (order.created, order.status, stock.changed,
 * production.changed) as Server-Sent Events. A client that reconnects with `Last-Event-ID` gets
 * the events it missed, or a `reset` event when they are no longer kept (it should then reload).
 */
export function eventRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  options: StreamOptions = { path: '/api/events', heartbeatMs: 15_000 },
): void {
  const open = new Set<() => void>()
  app.addHook('onClose', async () => {
    for (const end of open) end()
  })

  app.get(
    options.path,
    {
      config: { access: 'viewer', rateLimit: false },
      schema: {
        summary: 'Live business events (Server-Sent Events; resume with Last-Event-ID)',
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 100 })) }),
      },
    },
    (request, reply) => {
      // HEAD (which Fastify answers with this handler) asks for the headers only: no stream.
      if (request.method === 'HEAD')
        return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-store').send()
      const log = eventLogOf(ctx)
      reply.hijack()
      const raw = reply.raw
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      raw.write(`retry: 3000\n\n`)
      const lastId = request.headers['last-event-id']
      if (typeof lastId === 'string') {
        const missed = log.since(lastId)
        if (missed === null) raw.write(`event: reset\ndata: {}\n\n`)
        else for (const event of missed) raw.write(frame(event))
      }
      const stopListening = log.listen((event) => raw.write(frame(event)))
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), options.heartbeatMs)
      const end = () => {
        clearInterval(heartbeat)
        stopListening()
        open.delete(end)
        if (!raw.writableEnded) raw.end()
      }
      open.add(end)
      request.raw.on('close', end)
    },
  )
}
