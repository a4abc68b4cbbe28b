import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { type Static, Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { AppError } from '../../platform/http/errors.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import {
  Banner,
  CreateWindowBody,
  Occurrence,
  OccurrencesQuery,
  UpdateWindowBody,
  Window,
  WindowParams,
  WindowsQuery,
} from './schemas.ts'
import {
  cancelMaintenanceWindow,
  createMaintenanceWindow,
  listMaintenanceWindows,
  maintenanceBanner,
  maintenanceOccurrences,
  updateMaintenanceWindow,
  type WindowPatch,
} from './service.ts'

const DAY_MS = 86_400_000
const MAX_RANGE_DAYS = 366

/** The API's body (instants as text) as the service's input (dates). */
function inputOf(body: Static<typeof UpdateWindowBody>): WindowPatch {
  const { start, end, until, ...rest } = body
  return {
    ...rest,
    start: start === undefined ? undefined : new Date(start),
    end: end === undefined ? undefined : new Date(end),
    until: until === undefined || until === null ? until : new Date(until),
  }
}

export function maintenanceRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/maintenance/banner',
    {
      config: { access: 'viewer' },
      schema: {
        summary: `The maintenance window in progress, else the next one starting within MAINTENANCE_NOTICE_HOURS; null when none`,
        response: { 200: Banner },
      },
    },
    () => maintenanceBanner(ctx),
  )

  app.get(
    '/api/maintenance/windows',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Maintenance windows, newest first, each with its current or next occurrence',
        querystring: WindowsQuery,
        response: { 200: Type.Object({ items: Type.Array(Window) }) },
      },
    },
    async (request) => ({ items: await listMaintenanceWindows(ctx, request.query) }),
  )

  app.get(
    '/api/maintenance/occurrences',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Occurrences of every window overlapping [from, to), ordered by start',
        querystring: OccurrencesQuery,
        response: { 200: Type.Object({ items: Type.Array(Occurrence) }) },
      },
    },
    async (request) => {
      const from = request.query.from ? new Date(request.query.from) : ctx.clock.now()
      const to = request.query.to ? new Date(request.query.to) : new Date(from.getTime() + 30 * DAY_MS)
      if (to.getTime() <= from.getTime()) throw new AppError(400, 'INVALID_RANGE', 'to must be after from')
      if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS)
        throw new AppError(400, 'INVALID_RANGE', `The range may span at most ${MAX_RANGE_DAYS} days`)
      const items = await maintenanceOccurrences(ctx, { from, to })
      return {
        items: items.map((o) => ({ ...o, start: o.start.toISOString(), end: o.end.toISOString() })),
      }
    },
  )

  app.post(
    '/api/maintenance/windows',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Schedule a one-off (start, end) or recurring (cron, durationMinutes) maintenance window',
        body: CreateWindowBody,
        response: { 201: Window },
      },
    },
    async (request, reply) => {
      const { title, timezone, ...rest } = inputOf(request.body)
      const window = await createMaintenanceWindow(
        ctx,
        { ...rest, title: title!, timezone: timezone! },
        actorOf(request.principal),
        requestFacts(request),
      )
      return reply.status(201).send(window)
    },
  )

  app.patch(
    '/api/maintenance/windows/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Change a window that is not cancelled (its kind stays)',
        params: WindowParams,
        body: UpdateWindowBody,
        response: { 200: Window },
      },
    },
    (request) =>
      updateMaintenanceWindow(
        ctx,
        request.params.id,
        inputOf(request.body),
        actorOf(request.principal),
        requestFacts(request),
      ),
  )

  app.post(
    '/api/maintenance/windows/:id/cancel',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Cancel a window: an occurrence in progress ends now, later ones do not happen',
        params: WindowParams,
        response: { 200: Window },
      },
    },
    (request) =>
      cancelMaintenanceWindow(ctx, request.params.id, actorOf(request.principal), requestFacts(request)),
  )
}
