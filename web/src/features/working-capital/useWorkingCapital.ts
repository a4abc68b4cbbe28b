import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { api } from '../../lib/api.ts'
import type { OpenItemPage, OpenItemStatus, WorkingCapital, WorkingCapitalTrend } from './types.ts'

/** Weekly points over half a year. */
export const TREND = { step: 7, points: 26 }

export function useWorkingCapital(days: number) {
  return useQuery({
    queryKey: ['finance', 'working-capital', days],
    queryFn: () => api<WorkingCapital>(`/api/finance/working-capital?days=${days}`),
  })
}

export function useWorkingCapitalTrend(days: number) {
  return useQuery({
    queryKey: ['finance', 'working-capital', 'trend', days],
    queryFn: () =>
      api<WorkingCapitalTrend>(
        `/api/finance/working-capital/trend?days=${days}&step=${TREND.step}&points=${TREND.points}`,
      ),
  })
}

export function useOpenItems(kind: 'receivables' | 'payables', status: OpenItemStatus) {
  return useInfiniteQuery({
    queryKey: ['finance', kind, status],
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ status, limit: '50' })
      if (pageParam) params.set('cursor', pageParam)
      return api<OpenItemPage>(`/api/finance/${kind}?${params}`)
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  })
}
