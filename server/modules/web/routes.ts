import { existsSync } from 'node:fs'
import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { AppError, unavailable } from '../../platform/http/errors.ts'
import { isApiPath } from '../../platform/http/hardening.ts'

/** The page that names the current assets: always revalidated, so a deploy shows at once. */
const REVALIDATE = 'no-cache'

const AssetParams = Type.Object({ '*': Type.String({ maxLength: 200 }) })

/**
 * The web app from WEB_DIR: `/assets/*` (content-hashed, immutable), the files at its top level
 * (favicon), and index.html for every other GET that is not an API path, so client routes such as
 * `/orders/123` load the app. All public: the app itself asks the API who is signed in.
 */
export async function webRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const root = ctx.config.webDir
  const built = existsSync(path.join(root, 'index.html'))
  if (!built) ctx.logger.warn({ webDir: root }, 'the web app is not built (npm run build); / answers 503')
  await app.register(fastifyStatic, { root, serve: false, decorateReply: true })

  app.get(
    '/assets/*',
    { config: { access: 'public' }, schema: { hide: true, params: AssetParams } },
    (request, reply) => {
      const file = (request.params as { '*': string })['*']
      // Hashed build output never changes under its name: cached for a year.
      return reply.sendFile(file, path.join(root, 'assets'), { immutable: true, maxAge: '365d' })
    },
  )

  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, (request, reply) => {
    const pathname = request.url.split('?')[0]!
    if (isApiPath(pathname)) throw new AppError(404, 'NOT_FOUND', `Route GET ${pathname} not found`)
    if (!built) throw unavailable('The web app is not built: run npm run build')
    const top = pathname.slice(1)
    if (/^[\w-]+\.(svg|ico|png|txt|webmanifest)$/.test(top) && existsSync(path.join(root, top)))
      return reply.sendFile(top, { maxAge: '1h' })
    return reply.header('cache-control', REVALIDATE).sendFile('index.html', { cacheControl: false })
  })
}
