import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { changeOf } from '../../platform/http/principal.ts'
import {
  createProductionLine,
  getProductionLine,
  listProductionLines,
  updateProductionLine,
} from './production-lines.ts'
import {
  Channel,
  ChannelCreate,
  ChannelParams,
  ChannelPatch,
  ChannelQuery,
  LineParams,
  Location,
  LocationCreate,
  LocationParams,
  LocationPatch,
  LocationQuery,
  listOf,
  Market,
  MarketCreate,
  MarketParams,
  MarketPatch,
  ProductionLine,
  ProductionLineCreate,
  ProductionLinePatch,
  Supplier,
  SupplierCreate,
  SupplierParams,
  SupplierPatch,
} from './schemas.ts'
import {
  createChannel,
  createLocation,
  createMarket,
  getChannel,
  getLocation,
  getMarket,
  listChannels,
  listLocations,
  listMarkets,
  updateChannel,
  updateLocation,
  updateMarket,
} from './service.ts'
import { createSupplier, getSupplier, listSuppliers, updateSupplier } from './suppliers.ts'

/** Who reads the catalog and who edits it (SPEC §1: managers edit products and reorder policy). */
export const READ = { access: 'viewer' as const }
export const EDIT = { access: 'manager' as const }

/** Markets, locations, channels, suppliers and production lines: list, get, create, update. */
export function referenceRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/markets',
    {
      config: READ,
      schema: { summary: 'Markets (currency, tax, shipping days)', response: { 200: listOf(Market) } },
    },
    async () => ({ items: await listMarkets(ctx) }),
  )
  app.get(
    '/api/markets/:code',
    { config: READ, schema: { summary: 'One market', params: MarketParams, response: { 200: Market } } },
    (request) => getMarket(ctx, request.params.code),
  )
  app.post(
    '/api/markets',
    { config: EDIT, schema: { summary: 'Add a market', body: MarketCreate, response: { 201: Market } } },
    async (request, reply) =>
      reply.status(201).send(await createMarket(ctx, request.body, changeOf(request))),
  )
  app.patch(
    '/api/markets/:code',
    {
      config: EDIT,
      schema: {
        summary: 'Change a market',
        params: MarketParams,
        body: MarketPatch,
        response: { 200: Market },
      },
    },
    (request) => updateMarket(ctx, request.params.code, request.body, changeOf(request)),
  )

  app.get(
    '/api/locations',
    {
      config: READ,
      schema: {
        summary: 'Warehouses, factories and fulfilment centres',
        querystring: LocationQuery,
        response: { 200: listOf(Location) },
      },
    },
    async (request) => ({ items: await listLocations(ctx, request.query) }),
  )
  app.get(
    '/api/locations/:code',
    {
      config: READ,
      schema: { summary: 'One location', params: LocationParams, response: { 200: Location } },
    },
    (request) => getLocation(ctx, request.params.code),
  )
  app.post(
    '/api/locations',
    {
      config: EDIT,
      schema: { summary: 'Add a location', body: LocationCreate, response: { 201: Location } },
    },
    async (request, reply) =>
      reply.status(201).send(await createLocation(ctx, request.body, changeOf(request))),
  )
  app.patch(
    '/api/locations/:code',
    {
      config: EDIT,
      schema: {
        summary: 'Change a location',
        params: LocationParams,
        body: LocationPatch,
        response: { 200: Location },
      },
    },
    (request) => updateLocation(ctx, request.params.code, request.body, changeOf(request)),
  )

  app.get(
    '/api/channels',
    {
      config: READ,
      schema: {
        summary: 'Sales channels with their market, shipping location, fee and payout terms',
        querystring: ChannelQuery,
        response: { 200: listOf(Channel) },
      },
    },
    async (request) => ({ items: await listChannels(ctx, request.query) }),
  )
  app.get(
    '/api/channels/:code',
    {
      config: READ,
      schema: { summary: 'One sales channel', params: ChannelParams, response: { 200: Channel } },
    },
    (request) => getChannel(ctx, request.params.code),
  )
  app.post(
    '/api/channels',
    {
      config: EDIT,
      schema: {
        summary: 'Add a sales channel (its market and location must exist)',
        body: ChannelCreate,
        response: { 201: Channel },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createChannel(ctx, request.body, changeOf(request))),
  )
  app.patch(
    '/api/channels/:code',
    {
      config: EDIT,
      schema: {
        summary: 'Change a sales channel',
        params: ChannelParams,
        body: ChannelPatch,
        response: { 200: Channel },
      },
    },
    (request) => updateChannel(ctx, request.params.code, request.body, changeOf(request)),
  )

  app.get(
    '/api/suppliers',
    { config: READ, schema: { summary: 'Suppliers, by name', response: { 200: listOf(Supplier) } } },
    async () => ({ items: await listSuppliers(ctx) }),
  )
  app.get(
    '/api/suppliers/:id',
    {
      config: READ,
      schema: { summary: 'One supplier', params: SupplierParams, response: { 200: Supplier } },
    },
    (request) => getSupplier(ctx, request.params.id),
  )
  app.post(
    '/api/suppliers',
    {
      config: EDIT,
      schema: { summary: 'Add a supplier', body: SupplierCreate, response: { 201: Supplier } },
    },
    async (request, reply) =>
      reply.status(201).send(await createSupplier(ctx, request.body, changeOf(request))),
  )
  app.patch(
    '/api/suppliers/:id',
    {
      config: EDIT,
      schema: {
        summary: 'Change a supplier',
        params: SupplierParams,
        body: SupplierPatch,
        response: { 200: Supplier },
      },
    },
    (request) => updateSupplier(ctx, request.params.id, request.body, changeOf(request)),
  )

  app.get(
    '/api/production-lines',
    {
      config: READ,
      schema: {
        summary: 'Production lines with their ideal rate',
        response: { 200: listOf(ProductionLine) },
      },
    },
    async () => ({ items: await listProductionLines(ctx) }),
  )
  app.get(
    '/api/production-lines/:code',
    {
      config: READ,
      schema: { summary: 'One production line', params: LineParams, response: { 200: ProductionLine } },
    },
    (request) => getProductionLine(ctx, request.params.code),
  )
  app.post(
    '/api/production-lines',
    {
      config: EDIT,
      schema: {
        summary: 'Add a production line',
        body: ProductionLineCreate,
        response: { 201: ProductionLine },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createProductionLine(ctx, request.body, changeOf(request))),
  )
  app.patch(
    '/api/production-lines/:code',
    {
      config: EDIT,
      schema: {
        summary: 'Change a production line',
        params: LineParams,
        body: ProductionLinePatch,
        response: { 200: ProductionLine },
      },
    },
    (request) => updateProductionLine(ctx, request.params.code, request.body, changeOf(request)),
  )
}
