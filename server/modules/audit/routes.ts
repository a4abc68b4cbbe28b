import { Readable } from 'node:stream'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { badRequest } from '../../platform/http/errors.ts'
import { BigintId, Nullable } from '../../platform/http/schema.ts'
import { type AuditFilter, auditCsv, listAuditLogs } from './query.ts'
import { AUDIT_ACTIONS } from './service.ts'

const AuditQuery = Type.Object(
  {
    action: Type.Optional(
      Type.Array(Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a))), { maxItems: 20 }),
    ),
    actorType: Type.Optional(
      Type.Union([Type.Literal('user'), Type.Literal('apikey'), Type.Literal('system')]),
    ),
    actorId: Type.Optional(Type.String({ maxLength: 200 })),
    targetType: Type.Optional(Type.String({ maxLength: 100 })),
    targetId: Type.Optional(Type.String({ maxLength: 200 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    cursor: Type.Optional(BigintId()),
    format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
  },
  { additionalProperties: false },
)

const AuditLog = Type.Object({
  id: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  action: Type.String(),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  oldValues: Type.Unknown(),
  newValues: Type.Unknown(),
})

export function auditRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get(
    '/api/audit-logs',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Audit log, newest first, filtered; format=csv exports every matching entry',
        querystring: AuditQuery,
        response: { 200: Type.Object({ items: Type.Array(AuditLog), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (request, reply) => {
      const { limit, cursor, format, ...filter } = request.query
      if (filter.since && filter.until && filter.since >= filter.until) {
        throw badRequest('since must be before until')
      }
      if (format === 'csv') {
        return (
          reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="audit-logs.csv"')
            // The JSON schema describes the JSON form; the CSV form is a stream of text.
            .send(Readable.from(auditCsv(ctx, filter as AuditFilter)) as never)
        )
      }
      return listAuditLogs(ctx, filter as AuditFilter, { limit, cursor })
    },
  )
}
