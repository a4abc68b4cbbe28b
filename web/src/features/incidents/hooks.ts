import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { ApiError, api } from '../../lib/api.ts'
import type {
  IncidentDetail,
  IncidentsPage,
  ListState,
  Postmortem,
  SeverityDefinition,
  Suggestion,
} from './types.ts'

/** Every query of the incident pages starts with 'incidents', so `incident.changed` refreshes them all. */
export const INCIDENTS_KEY = ['incidents']

const PAGE_SIZE = 50

export const incidentPath = (id: string) => `/api/incidents/${encodeURIComponent(id)}`

export const useIncidents = (state: ListState) =>
  useInfiniteQuery({
    queryKey: ['incidents', 'list', state],
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ state, limit: String(PAGE_SIZE) })
      if (pageParam) params.set('cursor', pageParam)
      return api<IncidentsPage>(`/api/incidents?${params}`)
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  })

export const useIncident = (id: string) =>
  useQuery({ queryKey: ['incidents', 'one', id], queryFn: () => api<IncidentDetail>(incidentPath(id)) })

export const useSeverities = () =>
  useQuery({
    queryKey: ['incidents', 'severities'],
    queryFn: () => api<SeverityDefinition[]>('/api/incidents/severities'),
    staleTime: Number.POSITIVE_INFINITY,
  })

/** What the current signals suggest; read again each time the new-incident form opens. */
export const useSuggestion = (enabled: boolean) =>
  useQuery({
    queryKey: ['incidents', 'suggestion'],
    queryFn: () => api<Suggestion>('/api/incidents/suggested-severity'),
    enabled,
    staleTime: 0,
  })

/** The incident's post-mortem; null while it has none (the API answers 404). */
export const usePostmortem = (id: string, enabled: boolean) =>
  useQuery({
    queryKey: ['incidents', 'postmortem', id],
    queryFn: async () => {
      try {
        return await api<Postmortem>(`${incidentPath(id)}/postmortem`)
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null
        throw error
      }
    },
    enabled,
  })
