import type { Module } from '../module.ts'
import { productRoutes } from './product-routes.ts'
import { referenceRoutes } from './routes.ts'

export const catalogModule: Module = {
  name: 'catalog',
  routes(app, ctx) {
    referenceRoutes(app, ctx)
    productRoutes(app, ctx)
  },
}
