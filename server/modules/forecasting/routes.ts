import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { AppError } from '../../platform/http/errors.ts'
import { Nullable } from '../../platform/http/schema.ts'
import { forecast } from './models.ts'

const DAY = 86_400_000
const MaybeNum = Nullable(Type.Number())

const Query = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Z0-9][A-Z0-9._-]*$' }),
    channel: Type.Optional(Type.String({ minLength: 2, maxLength: 40, pattern: '^[a-z0-9-]+$' })),
    horizon: Type.Integer({ minimum: 1, maximum: 180, default: 28 }),
    history: Type.Integer({ minimum: 14, maximum: 1095, default: 365 }),
    level: Type.Number({ minimum: 0.5, maximum: 0.99, default: 0.95 }),
  },
  { additionalProperties: false },
)

const Forecast = Type.Object({
  sku: Type.String(),
  channel: Nullable(Type.String()),
  model: Type.String(),
  historyDays: Type.Integer(),
  level: Type.Number(),
  history: Type.Array(Type.Object({ day: Type.String(), units: Type.Number() }), {
    description:
      'units sold per day, from the first sale in the window to yesterday: what the model was fitted on',
  }),
  points: Type.Array(
    Type.Object({ day: Type.String(), value: Type.Number(), lower: MaybeNum, upper: MaybeNum }),
  ),
  backtest: Nullable(
    Type.Object({ model: Type.String(), horizon: Type.Integer(), wape: MaybeNum, bias: MaybeNum }),
  ),
})

/**
 * `GET /api/forecasts`: daily unit demand of a product (one channel or all) from the daily sales
 * rollup, forecast with the model its history supports (weekly season), with a prediction interval
 * and the backtest over the same horizon. History starts at the product's first sale in the window;
 * the days it used are returned with the forecast, so a chart shows both from one answer.
 */
export function forecastRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get(
    '/api/forecasts',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Demand forecast per product (and channel) with accuracy',
        querystring: Query,
        response: { 200: Forecast },
      },
    },
    async (request) => {
      const { sku, channel, horizon, history, level } = request.query
      const product = await ctx.db
        .selectFrom('products')
        .select('sku')
        .where('sku', '=', sku)
        .executeTakeFirst()
      if (!product) throw new AppError(404, 'NOT_FOUND', `No product ${sku}`)
      const today = Math.floor(ctx.clock.ms() / DAY) * DAY
      const first = today - history * DAY
      let query = ctx.db
        .selectFrom('sales_daily')
        .select((eb) => ['day', eb.fn.sum<string>('units').as('units')])
        .where('sku', '=', sku)
        .where('day', '>=', new Date(first).toISOString().slice(0, 10))
        .where('day', '<', new Date(today).toISOString().slice(0, 10))
      if (channel) query = query.where('channel_code', '=', channel)
      const rows = await query.groupBy('day').execute()
      const byDay = new Map(rows.map((r) => [String(r.day), Number(r.units)]))
      const series: number[] = []
      for (let at = first; at < today; at += DAY)
        series.push(byDay.get(new Date(at).toISOString().slice(0, 10)) ?? 0)
      const start = series.findIndex((units) => units > 0)
      const used = start < 0 ? [0] : series.slice(start)
      const result = forecast(used, { seasonLength: 7, horizon, level })
      return {
        sku,
        channel: channel ?? null,
        model: result.model,
        historyDays: start < 0 ? 0 : used.length,
        level,
        history:
          start < 0
            ? []
            : used.map((units, i) => ({
                day: new Date(first + (start + i) * DAY).toISOString().slice(0, 10),
                units,
              })),
        points: result.points.map((p) => ({
          day: new Date(today + (p.step - 1) * DAY).toISOString().slice(0, 10),
          value: Math.round(p.value * 100) / 100,
          lower: p.lower === null ? null : Math.round(p.lower * 100) / 100,
          upper: p.upper === null ? null : Math.round(p.upper * 100) / 100,
        })),
        backtest: result.backtest,
      }
    },
  )
}
