import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { isAPIError } from 'better-auth/api'
import { makeAuth, type AuthOpts } from './auth.ts'
import { authRoutes, toFetchHeaders } from './fastify-auth.ts'

export function buildApp(o: AuthOpts & { baseURL?: string }) {
  const baseURL = o.baseURL ?? 'http://localhost:3000'
  const auth = makeAuth({ ...o, baseURL })
  const app = Fastify()
  app.register(authRoutes(auth, { baseURL, secrets: o.secrets }))
  // the app's own JSON routes keep Fastify's normal parsers (outside the encapsulated auth plugin)
  app.post('/api/echo', async (req) => ({ body: req.body }))
  app.get('/api/me', async (request, reply) => {
    const session = await sessionOf(request, reply)
    if (!session) return reply.code(401).send({ error: 'unauthenticated' })
    return { user: session.user, session: { expiresAt: session.session.expiresAt } }
  })
  /** Session of any request; forwards the Set-Cookie of a sliding refresh. */
  async function sessionOf(request: FastifyRequest, reply: FastifyReply) {
    try {
      const { headers, response } = await auth.api.getSession({ headers: toFetchHeaders(request, o.secrets), returnHeaders: true })
      const cookies = headers?.getSetCookie() ?? []
      if (cookies.length) reply.header('set-cookie', cookies)
      return response // null when there is no valid session
    } catch (error) {
      // getSession throws (401 FAILED_TO_GET_SESSION) when a due refresh cannot be written
      if (isAPIError(error) && error.statusCode === 401) return null
      throw error
    }
  }
  return { app, auth }
}

/** tiny cookie jar for tests */
export class Jar {
  m = new Map<string, string>()
  take(setCookie: string[] | string | undefined) {
    for (const c of [setCookie ?? []].flat()) {
      const [pair, ...attrs] = c.split(';')
      const [name, ...v] = pair!.split('=')
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || v.join('=') === '') this.m.delete(name!.trim())
      else this.m.set(name!.trim(), v.join('='))
    }
  }
  header() { return [...this.m].map(([k, v]) => `${k}=${v}`).join('; ') }
}
