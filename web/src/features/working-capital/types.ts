/** `GET /api/finance/working-capital` and each point of its trend (server/modules/finance/schemas.ts). */
export interface WorkingCapital {
  currency: string
  windowDays: number
  from: string
  to: string
  averageInventory: number | null
  averageReceivables: number | null
  averagePayables: number | null
  revenue: number
  cogs: number
  dio: number | null
  dso: number | null
  dpo: number | null
  ccc: number | null
}

export interface WorkingCapitalTrend {
  currency: string
  windowDays: number
  stepDays: number
  points: WorkingCapital[]
}

export type OpenItemStatus = 'open' | 'overdue' | 'paid' | 'all'

/** `GET /api/finance/receivables` and `/payables`. */
export interface OpenItemPage {
  currency: string
  today: string
  open: { count: number; amountBase: number }
  overdue: { count: number; amountBase: number }
  items: OpenItem[]
  nextCursor: string | null
}

export interface OpenItem {
  id: string
  counterparty: string | null
  reference: string
  currency: string
  amount: number
  amountBase: number
  issuedOn: string
  dueOn: string
  paidOn: string | null
  daysOverdue: number | null
}
