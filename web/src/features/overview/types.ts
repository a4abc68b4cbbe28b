export interface Window {
  revenue: number
  orders: number
  averageOrderValue: number | null
}

export interface Period extends Window {
  previous: Window
  revenueChange: number | null
}

export interface Overview {
  currency: string
  at: string
  revenue: { today: Period; last7Days: Period; last30Days: Period }
  units30Days: number
  grossMargin30Days: number | null
  conversion24Hours: number | null
  criticalItems: number
  production7Days: {
    availability: number | null
    performance: number | null
    quality: number | null
    oee: number | null
    goodUnits: number
    batches: number
  }
  cashConversionCycleDays: number | null
}

export interface RevenueSeries {
  currency: string
  counted: 'orders' | 'units'
  points: { at: string; key: string; revenue: number; count: number }[]
}
