import { useQuery } from '@tanstack/react-query'
import { api } from '../../lib/api.ts'

/** The deployments API as the /ops page reads it (server/modules/deployments/schemas.ts). */

export type CheckState = 'pending' | 'ok' | 'regressed' | 'insufficient_data' | 'skipped'

export interface Release {
  id: string
  version: string
  commit: string | null
  startedAt: string
}

export interface WindowFigures {
  from: string
  to: string
  requests: number
  errors: number
  errorRate: number | null
  p95Ms: number | null
}

/** GET /api/deployments (one item) */
export interface Deployment {
  id: string
  environment: string
  version: string
  commit: string | null
  kind: 'deploy' | 'rollback'
  status: 'started' | 'succeeded' | 'failed'
  source: 'startup' | 'api' | 'cli'
  startedAt: string
  finishedAt: string | null
  createdBy: string
  notes: string | null
  rollsBack: Release | null
  check: {
    state: CheckState
    checkedAt: string | null
    summary: string | null
    rollbackTo: Release | null
    detail: {
      reasons: string[]
      windowSeconds?: number
      before?: WindowFigures
      after?: WindowFigures
    } | null
  }
}

export interface DeploymentsPage {
  items: Deployment[]
  nextCursor: string | null
  detector: {
    environment: string
    version: string
    commit: string | null
    windowMinutes: number
    minRequests: number
    errorRatePoints: number
    errorRateFactor: number
    p95Factor: number
    p95Ms: number
  }
}

/** How many deployments the section lists. */
export const DEPLOYMENTS_SHOWN = 10
const HOUR_MS = 3_600_000
/** The longest range of a tile's chart (the hourly business figures): markers are read for it. */
const MARKER_HOURS = 48

export const useDeployments = () =>
  useQuery({
    queryKey: ['ops', 'deployments', 'recent'],
    queryFn: () => api<DeploymentsPage>(`/api/deployments?limit=${DEPLOYMENTS_SHOWN}`),
  })

/**
 * Deployments the charts mark: this instance's environment (its metrics are the charts'), from the
 * last 48 hours, except those that failed (their release never ran).
 */
export const useDeployMarkers = () =>
  useQuery({
    queryKey: ['ops', 'deployments', 'markers'],
    queryFn: async () => {
      const since = new Date(Date.now() - MARKER_HOURS * HOUR_MS).toISOString()
      const page = await api<DeploymentsPage>(`/api/deployments?since=${encodeURIComponent(since)}&limit=200`)
      return page.items.filter((d) => d.environment === page.detector.environment && d.status !== 'failed')
    },
  })
