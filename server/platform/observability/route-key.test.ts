import { describe, expect, it } from 'vitest'
import { routeKey } from './route-key.ts'

describe('routeKey', () => {
  it('joins method and route pattern, the same on every call', () => {
    expect(routeKey('GET', '/api/orders/:id')).toBe('GET /api/orders/:id')
    expect(routeKey('POST', '/api/orders/:id')).toBe('POST /api/orders/:id')
    expect(routeKey('GET', '/api/orders')).toBe('GET /api/orders')
    expect(routeKey('GET', '/api/orders/:id')).toBe('GET /api/orders/:id')
  })
})
