import { useQuery } from '@tanstack/react-query'
import { api } from '../../lib/api.ts'

/** GET /api/maintenance/banner: the window in progress, else the next one within the notice period. */
export interface MaintenanceBanner {
  windowId: string
  title: string
  start: string
  end: string
  readOnly: boolean
  timezone: string
  inProgress: boolean
}

const REFRESH_MS = 2 * 60_000

/**
 * The banner, asked for every two minutes and again just after the shown window starts or ends,
 * so "scheduled" turns into "in progress" and then disappears on time.
 */
export function useMaintenanceBanner() {
  return useQuery({
    queryKey: ['maintenance-banner'],
    queryFn: () => api<MaintenanceBanner | null>('/api/maintenance/banner'),
    staleTime: 60_000,
    refetchInterval: (query) => {
      const banner = query.state.data
      if (!banner) return REFRESH_MS
      const change = Date.parse(banner.inProgress ? banner.end : banner.start) - Date.now() + 1000
      return Math.min(REFRESH_MS, Math.max(5000, change))
    },
  })
}
