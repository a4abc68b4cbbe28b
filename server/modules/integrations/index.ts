import type { Module } from '../module.ts'
import { shopifyRoutes } from './shopify/routes.ts'

/** Inbound integrations with the sales platforms: today Shopify's order webhook. */
export const integrationsModule: Module = {
  name: 'integrations',
  routes: shopifyRoutes,
}
