/**
 * `"GET /api/orders"`: the per-route key of the request statistics, built once per method and
 * route pattern. The response hook runs on every request; a key concatenated there would be a
 * new string each time, flattened, hashed and compared character by character by every Map it
 * is looked up in. The same string object is found by its cached hash and identity instead.
 * Bounded: route patterns and HTTP methods are finite sets.
 */
const keys = new Map<string, Map<string, string>>()

export function routeKey(method: string, route: string): string {
  let byMethod = keys.get(route)
  if (byMethod === undefined) {
    byMethod = new Map()
    keys.set(route, byMethod)
  }
  let key = byMethod.get(method)
  if (key === undefined) {
    key = `${method} ${route}`
    byMethod.set(method, key)
  }
  return key
}
