import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { cachedFor } from '../../platform/cached.ts'
import { CHECK_TTL_MS, type HealthReport, healthChecks, healthReport } from './service.ts'

const JSON_TYPE = 'application/json; charset=utf-8'
/** The same answer every time, so it is serialized once. */
const LIVE_BODY = JSON.stringify({ status: 'ok' })

const Status = Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')])
const Component = Type.Object(
  {
    status: Status,
    required: Type.Boolean(),
    latencyMs: Type.Optional(Type.Number()),
    message: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
)
const HealthReportSchema = Type.Object({
  status: Status,
  version: Type.String(),
  commit: Type.String(),
  environment: Type.String(),
  role: Type.String(),
  uptimeSeconds: Type.Integer(),
  checkedAt: Type.String({ format: 'date-time' }),
  components: Type.Record(Type.String(), Component),
})
const Simple = Type.Object({ status: Type.String(), message: Type.Optional(Type.String()) })

export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  // The report is built at most once per check period, like the checks it is made of.
  const sharedReport = cachedFor(
    CHECK_TTL_MS,
    () => healthReport(ctx),
    () => ctx.clock.ms(),
  )
  // So is its JSON: serialized once (by the route's own response schema) and sent as it is.
  let serialized: { report: HealthReport; body: string } | undefined

  app.get(
    '/health',
    {
      config: { access: 'public', rateLimit: false },
      schema: {
        summary: 'Health of this instance and its components; 503 when a required component is down',
        response: { 200: HealthReportSchema, 503: HealthReportSchema },
      },
    },
    async (_request, reply) => {
      const report = await sharedReport()
      const status = report.status === 'down' ? 503 : 200
      if (serialized?.report !== report)
        serialized = { report, body: reply.serializeInput(report, String(status)) as string }
      reply.header('cache-control', 'no-store').type(JSON_TYPE)
      return reply.status(status).send(serialized.body)
    },
  )

  app.get(
    '/health/live',
    {
      config: { access: 'public', rateLimit: false },
      schema: { summary: 'The process is up (no I/O)', response: { 200: Simple } },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store').type(JSON_TYPE)
      return LIVE_BODY
    },
  )

  app.get(
    '/health/ready',
    {
      config: { access: 'public', rateLimit: false },
      schema: {
        summary: 'The instance can serve traffic: started, not shutting down, database reachable',
        response: { 200: Simple, 503: Simple },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store')
      if (ctx.lifecycle.state !== 'ready') {
        return reply
          .status(503)
          .send({ status: ctx.lifecycle.state, message: `instance is ${ctx.lifecycle.state}` })
      }
      const database = await healthChecks(ctx).database!()
      if (database.status === 'down') {
        return reply.status(503).send({ status: 'down', message: `database: ${database.message ?? 'down'}` })
      }
      return { status: 'ready' }
    },
  )
}
