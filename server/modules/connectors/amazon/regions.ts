import type { AmazonSettings } from '../../../config-connectors.ts'

/** The SP-API endpoint of each region and the marketplaces it serves (Amazon's published table). */
const REGIONS: Record<string, string[]> = {
  'https://sellingpartnerapi-na.amazon.com': [
    'ATVPDKIKX0DER',
    'A2EUQ1WTGCTBG2',
    'A1AM78C64UM0Y8',
    'A2Q3Y263D00KWC',
  ],
  'https://sellingpartnerapi-eu.amazon.com': [
    'A1F83G8C2ARO7P', // UK
    'A1PA6795UKMFR9', // DE
    'A13V1IB3VIYZZH', // FR
    'APJ6JRA9NG5V4', // IT
    'A1RKKUPIHCS9HS', // ES
    'A1805IZSGTT6HS', // NL
    'AMEN7PMS3EDWL', // BE
    'A2NODRKZP88ZB9', // SE
    'A1C3SOZRARQ6R3', // PL
    'A28R8C7NBKEWEA', // IE
    'A33AVAJ2PDY3EV', // TR
    'A2VIGQ35RCS4UG', // AE
    'A17E79C6D8DWNP', // SA
    'ARBP9OOSHTCHU', // EG
    'A21TJRUUN4KGV', // IN
  ],
  'https://sellingpartnerapi-fe.amazon.com': ['A1VC38T7YXB528', 'A39IBJ37TRP1C6', 'A19VAU5U5O7RUS'],
}

const ENDPOINT_OF = new Map(
  Object.entries(REGIONS).flatMap(([endpoint, ids]) => ids.map((id) => [id, endpoint] as const)),
)

/** The configured marketplaces grouped by the endpoint that serves them (AMAZON_SP_API_URL: all on it). */
export function marketplacesByEndpoint(settings: AmazonSettings): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  for (const id of settings.marketplaceChannels.keys()) {
    const endpoint = settings.endpoint ?? ENDPOINT_OF.get(id)
    if (!endpoint)
      throw new Error(
        `No SP-API region is known for marketplace ${id}; set AMAZON_SP_API_URL to its endpoint`,
      )
    groups.set(endpoint, [...(groups.get(endpoint) ?? []), id])
  }
  return groups
}
