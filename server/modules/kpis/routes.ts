import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { singleFlight } from '../../platform/cached.ts'
import { badRequest } from '../../platform/http/errors.ts'
import { Nullable } from '../../platform/http/schema.ts'
import { overview, revenueSeries } from './service.ts'

const Num = Type.Number()
const MaybeNum = Nullable(Type.Number())
const Window = Type.Object({ revenue: Num, orders: Num, averageOrderValue: MaybeNum })
const Period = Type.Object({ ...Window.properties, previous: Window, revenueChange: MaybeNum })

const Overview = Type.Object({
  currency: Type.String(),
  at: Type.String({ format: 'date-time' }),
  revenue: Type.Object({ today: Period, last7Days: Period, last30Days: Period }),
  units30Days: Num,
  grossMargin30Days: MaybeNum,
  conversion24Hours: MaybeNum,
  criticalItems: Num,
  production7Days: Type.Object({
    availability: MaybeNum,
    performance: MaybeNum,
    quality: MaybeNum,
    oee: MaybeNum,
    goodUnits: Num,
    batches: Num,
  }),
  cashConversionCycleDays: MaybeNum,
})

const RevenueQuery = Type.Object(
  {
    interval: Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'day' }),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    by: Type.Union([Type.Literal('channel'), Type.Literal('market'), Type.Literal('product')], {
      default: 'channel',
    }),
  },
  { additionalProperties: false },
)

const Revenue = Type.Object({
  currency: Type.String(),
  counted: Type.String(),
  points: Type.Array(Type.Object({ at: Type.String(), key: Type.String(), revenue: Num, count: Num })),
})

/** At most this much history per revenue request: a year of hours, ten years of days. */
const MAX_SPAN = { hour: 366 * 86_400_000, day: 3660 * 86_400_000 }

export function kpiRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  // The overview is the same for every reader: requests that arrive while it is being computed share that computation.
  const sharedOverview = singleFlight(() => overview(ctx))

  app.get(
    '/api/kpis/overview',
    {
      config: { access: 'viewer' },
      schema: { summary: 'The business at a glance (from rollups)', response: { 200: Overview } },
    },
    () => sharedOverview(),
  )

  app.get(
    '/api/kpis/revenue',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Revenue per hour or day, by channel, market or product',
        querystring: RevenueQuery,
        response: { 200: Revenue },
      },
    },
    (request) => {
      const from = new Date(request.query.from)
      const to = new Date(request.query.to)
      if (!(to > from)) throw badRequest('to must be after from')
      if (to.getTime() - from.getTime() > MAX_SPAN[request.query.interval])
        throw badRequest(
          `At most ${MAX_SPAN[request.query.interval] / 86_400_000} days per request at this interval`,
        )
      return revenueSeries(ctx, { ...request.query, from, to })
    },
  )
}
