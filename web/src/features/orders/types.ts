export type OrderStatus = 'pending' | 'paid' | 'fulfilled' | 'cancelled' | 'refunded'
export const STATUSES: OrderStatus[] = ['pending', 'paid', 'fulfilled', 'cancelled', 'refunded']

export interface OrderSummary {
  id: string
  source: string
  externalId: string | null
  channel: string
  market: string
  location: string
  currency: string
  status: OrderStatus
  placedAt: string
  subtotal: number
  tax: number
  shipping: number
  total: number
  fxRate: number
  totalBase: number
}

export interface Order extends OrderSummary {
  lines: { lineNo: number; sku: string; quantity: number; unitPrice: number }[]
}

export interface OrderPage {
  items: OrderSummary[]
  nextCursor: string | null
}

export interface Filters {
  status: OrderStatus | ''
  channel: string
  market: string
  from: string
  to: string
}

export interface HistoryEntry {
  kind: 'placed' | 'status_change'
  at: string
  from: OrderStatus | null
  to: OrderStatus
  actor: { type: 'user' | 'apikey' | 'system'; id: string | null; name: string | null } | null
  reason: string | null
}

export interface OrderHistory {
  orderId: string
  source: string
  items: HistoryEntry[]
}
