import type { Module } from '../module.ts'
import { errorsRetentionJob } from './jobs.ts'
import { errorRoutes } from './routes.ts'
import { closeSentry } from './sentry.ts'
import { captureError, fromUnhandled } from './service.ts'

/**
 * The error tracker: unhandled server errors, failed jobs, crashes and the web app's reports,
 * grouped by fingerprint (`fingerprint.ts`), listed by `GET /api/errors` and `sentia errors`,
 * forwarded to Sentry when SENTRY_DSN is set (`sentry.ts`).
 */
export const errorsModule: Module = {
  name: 'errors',
  // Subscribes when an app is built (every role builds one), so 500s, job failures and crashes
  // of that process are recorded; a second build on the same context replaces the listener.
  install(_app, ctx) {
    ctx.errorSink.listen('errors', (report) => captureError(ctx, fromUnhandled(report)))
  },
  routes: errorRoutes,
  jobs: [errorsRetentionJob],
  async stop(ctx) {
    await closeSentry(ctx)
  },
}
