import { amazonConnector } from './amazon/index.ts'
import { shopifyConnector } from './shopify/index.ts'
import type { Connector, ConnectorName } from './types.ts'
import { unleashedConnector } from './unleashed/index.ts'
import { xeroConnector } from './xero/index.ts'

/**
 * Every connector the app knows, in the order they are listed. The module builds one
 * scheduled job, one breaker, one status row and one health entry for each; adding a connector
 * is one line here.
 */
export const CONNECTORS: readonly Connector[] = [
  shopifyConnector,
  unleashedConnector,
  amazonConnector,
  xeroConnector,
]

export function findConnector(name: string): Connector | undefined {
  return CONNECTORS.find((connector) => connector.name === name)
}

export const connectorNames = (): ConnectorName[] => CONNECTORS.map((connector) => connector.name)
