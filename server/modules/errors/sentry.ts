import type { NodeClient, Scope } from '@sentry/node'
import type { AppContext } from '../../context.ts'
import type { Occurrence } from './service.ts'

/**
 * Forwarding to Sentry when SENTRY_DSN is set. `@sentry/node` is heavy (about 0.7 s and tens of
 * MB to load), so it is imported on the first error, never when the DSN is unset. One client per
 * context, without integrations: nothing is patched or instrumented, no request data (headers,
 * bodies, cookies) is collected, no global client is set; each error goes out with its tags and is flushed before `captureError` resolves (a crash
 * waits for it).
 */

const FLUSH_MS = 2000

interface Forwarder {
  client: NodeClient
  newScope(): Scope
}

const forwarders = new WeakMap<AppContext, Promise<Forwarder>>()

function forwarderOf(ctx: AppContext, dsn: string): Promise<Forwarder> {
  let forwarder = forwarders.get(ctx)
  if (!forwarder) {
    forwarder = createForwarder(ctx, dsn)
    forwarders.set(ctx, forwarder)
    // A failed load is retried on the next error.
    forwarder.catch(() => forwarders.delete(ctx))
  }
  return forwarder
}

async function createForwarder(ctx: AppContext, dsn: string): Promise<Forwarder> {
  const Sentry = await import('@sentry/node')
  const client = new Sentry.NodeClient({
    dsn,
    release: ctx.config.version,
    environment: ctx.config.env,
    integrations: [],
    transport: Sentry.makeNodeTransport,
    stackParser: Sentry.defaultStackParser,
    enableRuntimeChannelInjection: false,
    sendClientReports: false,
  })
  client.init()
  return { client, newScope: () => new Sentry.Scope() }
}

export async function forwardToSentry(ctx: AppContext, occurrence: Occurrence): Promise<void> {
  const dsn = ctx.config.errors.sentryDsn
  if (!dsn) return
  const { client, newScope } = await forwarderOf(ctx, dsn)
  const scope = newScope()
  scope.setTags({
    source: occurrence.source,
    commit: ctx.config.commit,
    error_group: occurrence.fingerprint,
    ...(occurrence.requestId ? { request_id: occurrence.requestId } : {}),
    ...(occurrence.where ? { route: occurrence.where } : {}),
  })
  if (occurrence.source === 'web') scope.setTag('web_release', occurrence.release)
  if (occurrence.userId) scope.setUser({ id: occurrence.userId })
  // The recorded (masked, capped) text, so Sentry receives nothing the app does not keep.
  const error = new Error(occurrence.message)
  error.name = occurrence.type
  error.stack = occurrence.stack ?? `${occurrence.type}: ${occurrence.message}`
  client.captureException(
    error,
    { mechanism: { type: `sentia.${occurrence.source}`, handled: false } },
    scope,
  )
  await client.flush(FLUSH_MS)
}

/** Sends what is queued and releases the client (module stop). */
export async function closeSentry(ctx: AppContext): Promise<void> {
  const forwarder = forwarders.get(ctx)
  if (!forwarder) return
  forwarders.delete(ctx)
  const { client } = await forwarder
  await client.close(FLUSH_MS)
}
