import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { AppContext } from './context.ts'
import { modules } from './modules/index.ts'
import { isAccess } from './platform/http/access.ts'
import { registerDocs } from './platform/http/docs.ts'
import { frameworkError, installErrorHandling } from './platform/http/error-handler.ts'
import { installGuard } from './platform/http/guard.ts'
import { installRateLimits, installResponseHeaders } from './platform/http/hardening.ts'
import { requestId } from './platform/http/request-id.ts'
import { RequestLog } from './platform/http/request-log.ts'
import { lazyChildLogger } from './platform/http/request-logger.ts'
import { installValidation } from './platform/http/validation.ts'
import { routeKey } from './platform/observability/route-key.ts'

export interface RouteEntry {
  method: string | string[]
  url: string
  readonly access: unknown
  readonly schema: unknown
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every registered route with its declared access and schema (checked at ready, listed by tests). */
    routeTable: RouteEntry[]
  }
}

/**
 * Builds the HTTP app on a context without listening (tests use `app.inject`; only the
 * `serve` command listens). Platform hooks first, then every module's routes.
 */
export interface BuildOptions {
  /** Extra route plugins registered after the modules (tests use this for probe routes). */
  plugins?: Array<(app: FastifyInstance, ctx: AppContext) => Promise<void> | void>
}

export async function buildApp(ctx: AppContext, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new RequestLog(),
    childLoggerFactory: lazyChildLogger,
    frameworkErrors: frameworkError,
    genReqId: requestId,
    bodyLimit: ctx.config.bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: trustProxy(ctx.config.trustProxy),
  })

  // Deny by default: a route that does not say who may call it is a start-up error.
  const routes: RouteEntry[] = []
  app.decorate('routeTable', routes)
  app.addHook('onRoute', (route) => {
    routes.push({
      method: route.method,
      url: route.url,
      get access() {
        return route.config?.access
      },
      get schema() {
        return route.schema
      },
    })
  })
  app.addHook('onReady', async () => {
    const undeclared = routes.filter((route) => !isAccess(route.access))
    if (undeclared.length > 0) {
      const list = undeclared.map((route) => `${route.method} ${route.url}`).join(', ')
      throw new Error(`Routes without a config.access declaration: ${list}`)
    }
  })

  const observers = modules.flatMap((m) => (m.observeResponse ? [m.observeResponse] : []))
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? '(unmatched)'
    const status = reply.statusCode
    const responseTime = reply.elapsedTime
    ctx.metrics.httpDuration.observe(request.method, route, status, responseTime / 1000)
    ctx.requestStats.record(routeKey(request.method, route), status, responseTime)
    for (const observe of observers) observe(ctx, request, reply)
    done()
  })

  installResponseHeaders(app, ctx.config.env === 'production')
  installValidation(app)
  for (const module of modules) module.install?.(app, ctx)
  installGuard(app, {
    resolvers: modules.flatMap((m) => (m.authenticate ? [m.authenticate(ctx)] : [])),
    metricsToken: ctx.config.metricsToken,
  })
  installErrorHandling(app, (error, request) => {
    void ctx.errorSink.report({
      error,
      source: 'server',
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? '(unmatched)',
      userId: request.principal?.kind === 'user' ? request.principal.id : undefined,
    })
  })
  await installRateLimits(app, ctx)
  await registerDocs(app, ctx.config.version)

  for (const module of modules) {
    if (!module.routes) continue
    const roles = module.httpRoles ?? ['all', 'api']
    if (!roles.includes(ctx.role)) continue
    await app.register(async (scope) => module.routes?.(scope, ctx), { name: module.name } as never)
  }
  for (const plugin of options.plugins ?? []) await app.register(async (scope) => plugin(scope, ctx))
  await app.ready()
  return app
}

/** A hop count becomes "trust the first n hops", as Fastify does internally (its types omit it). */
function trustProxy(setting: boolean | number | string[]) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting
}
