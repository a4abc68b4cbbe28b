import { useQuery } from '@tanstack/react-query'
import { api } from '../../lib/api.ts'

/**
 * The backups, recovery drills and database maintenance APIs as the /ops page reads them
 * (server/modules/backups/schemas.ts, server/modules/dbmaintenance/schemas.ts). Admins only.
 */

export type VerifyState = 'unverified' | 'good' | 'corrupt'

/** GET /api/backups (one item) */
export interface Backup {
  id: string
  engine: 'postgres' | 'pglite'
  status: 'running' | 'complete' | 'failed'
  startedAt: string
  finishedAt: string | null
  sizeBytes: number | null
  sha256: string | null
  stores: string[]
  verifyState: VerifyState
  verifiedAt: string | null
  error: string | null
}

export interface Check {
  name: string
  ok: boolean
  detail: string
}

/** POST /api/backups/:id/verify */
export interface VerifyReport {
  id: string
  state: 'good' | 'corrupt'
  store: string | null
  checks: Check[]
  verifiedAt: string
}

export interface TableCount {
  name: string
  expected: number | null
  actual: number | null
  ok: boolean
}

/** GET /api/backups/drills (one item); POST /api/backups/drills */
export interface Drill {
  id: string
  backupId: string | null
  startedAt: string
  finishedAt: string | null
  outcome: 'passed' | 'failed'
  rtoSeconds: number | null
  rpoSeconds: number | null
  rtoMet: boolean | null
  rpoMet: boolean | null
  error: string | null
  report: {
    /** The backup's own check before the restore. */
    verify?: { state: string; failed: string[] }
    integrity?: {
      ok: boolean
      tables: TableCount[]
      migration: { expected: string | null; actual: string | null; ok: boolean }
    }
    queries?: Check[]
    scratch?: { target: string; removed: boolean }
  }
}

export interface Drills {
  items: Drill[]
  objectives: { rtoSeconds: number; rpoSeconds: number }
  newestVerifiedBackupAgeSeconds: number | null
}

export interface MaintenanceRun {
  id: string
  job: string
  instance: string
  startedAt: string
  finishedAt: string | null
  durationMs: number | null
  outcome: 'ok' | 'failed' | 'skipped' | 'running'
  detail: Record<string, unknown> | null
  error: string | null
}

export interface TableBloat {
  table: string
  liveTuples: number
  deadTuples: number
  deadRatio: number
  tableBytes: number
  indexBytes: number
  advice: string[]
}

/** GET /api/ops/database/maintenance */
export interface MaintenanceReport {
  engine: 'postgres' | 'pglite'
  jobs: { name: string; description: string; schedule: string | null }[]
  runs: MaintenanceRun[]
  bloat: TableBloat[]
}

/** How many backups the table lists, and runs of each maintenance job. */
export const BACKUPS_SHOWN = 10
export const RUNS_PER_JOB = 3
/** Nothing announces backups, drills or maintenance runs live: they are read again each minute. */
const REFRESH_MS = 60_000

// Under 'ops', so the page's own refreshes reach them too.
export const BACKUPS_KEY = ['ops', 'backups']

export const useBackups = (allowed: boolean) =>
  useQuery({
    queryKey: [...BACKUPS_KEY, 'list'],
    queryFn: () => api<{ items: Backup[] }>(`/api/backups?limit=${BACKUPS_SHOWN}`),
    enabled: allowed,
    refetchInterval: REFRESH_MS,
  })

export const useDrills = (allowed: boolean) =>
  useQuery({
    queryKey: [...BACKUPS_KEY, 'drills'],
    queryFn: () => api<Drills>('/api/backups/drills?limit=1'),
    enabled: allowed,
    refetchInterval: REFRESH_MS,
  })

export const useDbMaintenance = (allowed: boolean) =>
  useQuery({
    queryKey: ['ops', 'database-maintenance'],
    queryFn: () => api<MaintenanceReport>(`/api/ops/database/maintenance?perJob=${RUNS_PER_JOB}`),
    enabled: allowed,
    refetchInterval: REFRESH_MS,
  })
