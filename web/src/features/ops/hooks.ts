import { useQuery } from '@tanstack/react-query'
import { ApiError, api } from '../../lib/api.ts'
import type {
  Alert,
  AlertDetail,
  Channels,
  Contact,
  ErrorGroup,
  Message,
  Occurrence,
  OnCallNow,
  Page,
  Policy,
  RoleAssignment,
  Silence,
  Tiles,
} from './types.ts'

/** Every query of the page starts with 'ops', so an event or a change refreshes them all. */
export const OPS_KEY = ['ops']

const TILES_REFRESH_MS = 30_000
const DAY_MS = 86_400_000
/** How far ahead maintenance is listed. */
export const MAINTENANCE_DAYS = 30
/** Error groups seen this recently are listed. */
export const ERROR_DAYS = 7

export const useTiles = () =>
  useQuery({
    queryKey: ['ops', 'tiles'],
    queryFn: () => api<Tiles>('/api/ops/tiles'),
    refetchInterval: TILES_REFRESH_MS,
  })

export interface UptimeWindow {
  window: '24h' | '7d' | '30d'
  percent: number | null
}

export const useUptime = () =>
  useQuery({
    queryKey: ['ops', 'uptime'],
    queryFn: () => api<{ items: UptimeWindow[] }>('/api/metrics/uptime'),
    refetchInterval: TILES_REFRESH_MS,
  })

export const useActiveAlerts = () =>
  useQuery({
    queryKey: ['ops', 'alerts', 'active'],
    queryFn: () => api<Page<Alert>>('/api/alerts?state=active&limit=200'),
  })

export const useResolvedAlerts = () =>
  useQuery({
    queryKey: ['ops', 'alerts', 'resolved'],
    queryFn: () => api<Page<Alert>>('/api/alerts?state=resolved&limit=10'),
  })

export const useAlert = (id: string) =>
  useQuery({
    queryKey: ['ops', 'alerts', 'one', id],
    queryFn: () => api<AlertDetail>(`/api/alerts/${encodeURIComponent(id)}`),
  })

export const useSilences = () =>
  useQuery({ queryKey: ['ops', 'silences'], queryFn: () => api<{ items: Silence[] }>('/api/silences') })

export const usePolicies = () =>
  useQuery({
    queryKey: ['ops', 'policies'],
    queryFn: () => api<{ items: Policy[] }>('/api/escalation-policies'),
  })

/** Who is on call now; null when no schedule is set up (the API answers 404). */
export const useOnCall = () =>
  useQuery({
    queryKey: ['ops', 'oncall'],
    queryFn: async () => {
      try {
        return await api<OnCallNow>('/api/oncall/now')
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null
        throw error
      }
    },
  })

export const useRoles = () =>
  useQuery({
    queryKey: ['ops', 'roles'],
    queryFn: () => api<{ items: RoleAssignment[] }>('/api/oncall/roles'),
  })

export const useVendors = () =>
  useQuery({
    queryKey: ['ops', 'vendors'],
    queryFn: () => api<{ items: Contact[] }>('/api/oncall/contacts?kind=vendor'),
  })

/** Delivery figures and dead letters: operators and up (the API refuses viewers). */
export const useChannels = (allowed: boolean) =>
  useQuery({
    queryKey: ['ops', 'channels'],
    queryFn: () => api<Channels>('/api/notifications/channels'),
    enabled: allowed,
  })

export const useDeadLetters = (allowed: boolean) =>
  useQuery({
    queryKey: ['ops', 'dead-letters'],
    queryFn: () => api<Page<Message>>('/api/notifications/messages?status=dead&limit=20'),
    enabled: allowed,
  })

export const useErrorGroups = (allowed: boolean) =>
  useQuery({
    queryKey: ['ops', 'errors'],
    queryFn: () => {
      const since = new Date(Date.now() - ERROR_DAYS * DAY_MS).toISOString()
      return api<Page<ErrorGroup>>(`/api/errors?since=${encodeURIComponent(since)}&limit=100`)
    },
    // The most frequent first; the API lists the most recently seen first.
    select: (page) => [...page.items].sort((a, b) => b.count - a.count).slice(0, 10),
    enabled: allowed,
  })

/** Maintenance in progress or starting within the next 30 days. */
export const useMaintenance = () =>
  useQuery({
    queryKey: ['ops', 'maintenance'],
    queryFn: () => {
      const from = new Date()
      const to = new Date(from.getTime() + MAINTENANCE_DAYS * DAY_MS)
      const params = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() })
      return api<{ items: Occurrence[] }>(`/api/maintenance/occurrences?${params}`)
    },
  })
