import { useQuery } from '@tanstack/react-query'
import { api } from '../../lib/api.ts'
import type { Forecast, ForecastChoice } from './types.ts'

/** Finished products (the ones sold) and the sales channels, for the page's choices. */
export function useChoices() {
  const products = useQuery({
    queryKey: ['products', 'finished'],
    queryFn: () =>
      api<{ items: { sku: string; name: string }[] }>('/api/products?kind=finished&active=true&limit=500'),
  })
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => api<{ items: { code: string; name: string }[] }>('/api/channels'),
  })
  return { products, channels }
}

export function forecastUrl(choice: ForecastChoice): string {
  const params = new URLSearchParams({ sku: choice.sku, horizon: String(choice.horizon) })
  if (choice.channel) params.set('channel', choice.channel)
  return `/api/forecasts?${params}`
}

export function useForecast(choice: ForecastChoice | null) {
  return useQuery({
    queryKey: ['forecasts', choice],
    queryFn: () => api<Forecast>(forecastUrl(choice!)),
    enabled: choice !== null,
  })
}
