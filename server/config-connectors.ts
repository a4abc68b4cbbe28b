import { ConfigError } from './config-variables.ts'

/**
 * The settings sections of the pull connectors, built from their parsed variables. A connector
 * whose credentials are all unset is not configured (undefined); one with only some of them
 * set is a mistake and stops start-up naming the first missing variable.
 */

export interface UnleashedSettings {
  apiUrl: string
  apiId: string
  apiKey: string
  /** Unleashed warehouse code → location code; others map to the location with their own code. */
  warehouseLocations: ReadonlyMap<string, string>
  /** The line assemblies are planned on; undefined: the only line there is. */
  productionLine: string | undefined
}

export interface AmazonSettings {
  lwaUrl: string
  clientId: string
  clientSecret: string
  refreshToken: string
  /** One endpoint for every marketplace (sandbox, tests); undefined: each marketplace's regional one. */
  endpoint: string | undefined
  /** Marketplace id → sales channel; the marketplaces pulled. */
  marketplaceChannels: ReadonlyMap<string, string>
}

export interface XeroSettings {
  identityUrl: string
  apiUrl: string
  clientId: string
  clientSecret: string
  /** Sent as Xero-tenant-id when set (a custom connection has one organisation and needs none). */
  tenantId: string | undefined
}

/** True when every credential is set, false when none is; a ConfigError for anything between. */
function credentialsComplete(group: string, given: Record<string, string>): boolean {
  const names = Object.keys(given)
  const set = names.filter((name) => given[name] !== '')
  if (set.length === 0) return false
  const missing = names.find((name) => given[name] === '')
  if (missing) throw new ConfigError(missing, `is required when any ${group} credential is set`)
  return true
}

export function unleashedSettings(values: {
  UNLEASHED_API_ID: string
  UNLEASHED_API_KEY: string
  UNLEASHED_API_URL: string
  UNLEASHED_WAREHOUSE_LOCATIONS: ReadonlyMap<string, string>
  UNLEASHED_PRODUCTION_LINE: string
}): UnleashedSettings | undefined {
  const { UNLEASHED_API_ID, UNLEASHED_API_KEY } = values
  if (!credentialsComplete('UNLEASHED_API', { UNLEASHED_API_ID, UNLEASHED_API_KEY })) return undefined
  return {
    apiUrl: values.UNLEASHED_API_URL,
    apiId: UNLEASHED_API_ID,
    apiKey: UNLEASHED_API_KEY,
    warehouseLocations: values.UNLEASHED_WAREHOUSE_LOCATIONS,
    productionLine: values.UNLEASHED_PRODUCTION_LINE || undefined,
  }
}

export function amazonSettings(values: {
  AMAZON_LWA_CLIENT_ID: string
  AMAZON_LWA_CLIENT_SECRET: string
  AMAZON_REFRESH_TOKEN: string
  AMAZON_LWA_URL: string
  AMAZON_SP_API_URL: string
  AMAZON_MARKETPLACE_CHANNELS: ReadonlyMap<string, string>
}): AmazonSettings | undefined {
  const { AMAZON_LWA_CLIENT_ID, AMAZON_LWA_CLIENT_SECRET, AMAZON_REFRESH_TOKEN } = values
  const credentials = { AMAZON_LWA_CLIENT_ID, AMAZON_LWA_CLIENT_SECRET, AMAZON_REFRESH_TOKEN }
  if (!credentialsComplete('Amazon', credentials)) return undefined
  return {
    lwaUrl: values.AMAZON_LWA_URL,
    clientId: AMAZON_LWA_CLIENT_ID,
    clientSecret: AMAZON_LWA_CLIENT_SECRET,
    refreshToken: AMAZON_REFRESH_TOKEN,
    endpoint: values.AMAZON_SP_API_URL || undefined,
    marketplaceChannels: values.AMAZON_MARKETPLACE_CHANNELS,
  }
}

export function xeroSettings(values: {
  XERO_CLIENT_ID: string
  XERO_CLIENT_SECRET: string
  XERO_TENANT_ID: string
  XERO_IDENTITY_URL: string
  XERO_API_URL: string
}): XeroSettings | undefined {
  const { XERO_CLIENT_ID, XERO_CLIENT_SECRET } = values
  if (!credentialsComplete('XERO_CLIENT', { XERO_CLIENT_ID, XERO_CLIENT_SECRET })) return undefined
  return {
    identityUrl: values.XERO_IDENTITY_URL,
    apiUrl: values.XERO_API_URL,
    clientId: XERO_CLIENT_ID,
    clientSecret: XERO_CLIENT_SECRET,
    tenantId: values.XERO_TENANT_ID || undefined,
  }
}

export interface ShopifyAdminSettings {
  /** The shop's origin, e.g. https://example.myshopify.com. */
  url: string
  token: string
  apiVersion: string
}

export function shopifyAdminSettings(values: {
  SHOPIFY_ADMIN_URL: string
  SHOPIFY_ADMIN_TOKEN: string
  SHOPIFY_API_VERSION: string
}): ShopifyAdminSettings | undefined {
  const { SHOPIFY_ADMIN_URL, SHOPIFY_ADMIN_TOKEN } = values
  if (!credentialsComplete('SHOPIFY_ADMIN', { SHOPIFY_ADMIN_URL, SHOPIFY_ADMIN_TOKEN })) return undefined
  return { url: SHOPIFY_ADMIN_URL, token: SHOPIFY_ADMIN_TOKEN, apiVersion: values.SHOPIFY_API_VERSION }
}
