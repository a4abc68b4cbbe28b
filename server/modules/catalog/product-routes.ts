import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { changeOf } from '../../platform/http/principal.ts'
import { getBom, replaceBom } from './bom.ts'
import { createProduct, getProduct, listProducts, updateProduct } from './products.ts'
import { EDIT, READ } from './routes.ts'
import {
  Bom,
  BomReplace,
  Product,
  ProductCreate,
  ProductPage,
  ProductPatch,
  ProductQuery,
  SkuParams,
} from './schemas.ts'

/** Products with their prices per market, and their bills of materials. */
export function productRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/products',
    {
      config: READ,
      schema: {
        summary: 'Products by SKU, filtered, a page at a time (cursor = the last SKU)',
        querystring: ProductQuery,
        response: { 200: ProductPage },
      },
    },
    (request) => {
      const { limit, cursor, ...filter } = request.query
      return listProducts(ctx, filter, { limit, cursor })
    },
  )
  app.get(
    '/api/products/:sku',
    {
      config: READ,
      schema: { summary: 'One product with its prices', params: SkuParams, response: { 200: Product } },
    },
    (request) => getProduct(ctx, request.params.sku),
  )
  app.post(
    '/api/products',
    {
      config: EDIT,
      schema: {
        summary: 'Add a product with its prices (markets must exist)',
        body: ProductCreate,
        response: { 201: Product },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createProduct(ctx, request.body, changeOf(request))),
  )
  app.patch(
    '/api/products/:sku',
    {
      config: EDIT,
      schema: {
        summary: 'Change a product; `prices` replaces all its prices; `active: false` retires it',
        params: SkuParams,
        body: ProductPatch,
        response: { 200: Product },
      },
    },
    (request) => updateProduct(ctx, request.params.sku, request.body, changeOf(request)),
  )

  app.get(
    '/api/products/:sku/bom',
    {
      config: READ,
      schema: {
        summary: 'Bill of materials: components per unit of the product',
        params: SkuParams,
        response: { 200: Bom },
      },
    },
    (request) => getBom(ctx, request.params.sku),
  )
  app.put(
    '/api/products/:sku/bom',
    {
      config: EDIT,
      schema: {
        summary: "Replace a finished product's bill of materials (components only, not itself)",
        params: SkuParams,
        body: BomReplace,
        response: { 200: Bom },
      },
    },
    (request) => replaceBom(ctx, request.params.sku, request.body.lines, changeOf(request)),
  )
}
