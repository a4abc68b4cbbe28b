import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { resignCookieHeader } from './secrets.ts'

type Auth = { handler: (req: Request) => Promise<Response> }

/** Fastify request headers -> Fetch Headers; cookies re-signed for secret rotation; client IP from Fastify. */
export function toFetchHeaders(request: FastifyRequest, secrets: string[]): Headers {
  const headers = new Headers()
  for (const [key, value] of Object.entries(request.headers)) {
    if (value === undefined || key === 'content-length' || key === 'x-client-ip') continue
    if (Array.isArray(value)) for (const v of value) headers.append(key, v)
    else headers.set(key, value)
  }
  const cookie = resignCookieHeader(request.headers.cookie, secrets)
  if (cookie) headers.set('cookie', cookie)
  // Fastify's view of the client (honours its own trustProxy); better-auth reads it via
  // advanced.ipAddress.ipAddressHeaders: ['x-client-ip'] (any client-sent value was dropped above).
  headers.set('x-client-ip', request.ip)
  return headers
}

export function authRoutes(auth: Auth, opts: { baseURL: string; secrets: string[] }) {
  return async function plugin(app: FastifyInstance) {
    // Encapsulated: inside this plugin every body stays raw bytes, so better-auth parses it itself
    // (JSON, and application/x-www-form-urlencoded for response_mode=form_post callbacks).
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))

    app.route({
      method: ['GET', 'POST'],
      url: '/api/auth/*',
      async handler(request: FastifyRequest, reply: FastifyReply) {
        const url = new URL(request.url, opts.baseURL)
        const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && Buffer.isBuffer(request.body)
        const response = await auth.handler(new Request(url, {
          method: request.method,
          headers: toFetchHeaders(request, opts.secrets),
          body: hasBody ? (request.body as Buffer) : undefined,
        }))
        reply.status(response.status)
        for (const [key, value] of response.headers) if (key !== 'set-cookie') reply.header(key, value)
        const cookies = response.headers.getSetCookie()
        if (cookies.length) reply.header('set-cookie', cookies)
        return reply.send(response.body ? Buffer.from(await response.arrayBuffer()) : null)
      },
    })
  }
}

