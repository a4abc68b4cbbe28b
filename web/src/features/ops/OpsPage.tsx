import { useLocation, useRoute } from 'wouter'
import { useLiveRefresh } from '../../lib/live.ts'
import { AlertsPanel } from './AlertsPanel.tsx'
import { AlertTimeline } from './AlertTimeline.tsx'
import { BackupsPanel } from './BackupsPanel.tsx'
import { DbMaintenancePanel } from './DbMaintenancePanel.tsx'
import { DeploymentsPanel } from './DeploymentsPanel.tsx'
import { ErrorsPanel } from './ErrorsPanel.tsx'
import { OPS_KEY, useTiles } from './hooks.ts'
import { MaintenancePanel } from './MaintenancePanel.tsx'
import { NotificationsPanel } from './NotificationsPanel.tsx'
import { OnCallPanel } from './OnCallPanel.tsx'
import { OpsSection, QueryBlock } from './QueryBlock.tsx'
import { when } from './show.ts'
import { TileGrid } from './Tiles.tsx'
import type { Tile } from './types.ts'

const ofKind = (tiles: Tile[], kind: Tile['kind']) => tiles.filter((tile) => tile.kind === kind)

/** System health and business tiles, from one request refreshed every 30 s and on alert changes. */
function TileSections() {
  const tiles = useTiles()
  return (
    <>
      <OpsSection
        id="system"
        title="System health"
        description="Each tile: the latest value, its state against the alert rules' levels (or the metric's active alerts), the levels, and the last hour."
      >
        <QueryBlock
          query={tiles}
          loading="Loading the system figures…"
          isEmpty={(d) => ofKind(d.items, 'system').length === 0}
          empty="No system metrics."
        >
          {(d) => <TileGrid tiles={ofKind(d.items, 'system')} label="System health" />}
        </QueryBlock>
      </OpsSection>
      <OpsSection id="business" title="Business">
        <QueryBlock
          query={tiles}
          loading="Loading the business figures…"
          isEmpty={(d) => ofKind(d.items, 'business').length === 0}
          empty="No business metrics."
        >
          {(d) => <TileGrid tiles={ofKind(d.items, 'business')} label="Business" />}
        </QueryBlock>
      </OpsSection>
    </>
  )
}

/**
 * /ops and /ops/alerts/:id (the alert's timeline open, the link notifications carry): the
 * operations dashboard for everyone signed in; actions for the roles the API allows them to.
 */
export function OpsPage() {
  const [, params] = useRoute('/ops/alerts/:id')
  const [, navigate] = useLocation()
  const tiles = useTiles()
  // Also the banner: a window changed or started.
  useLiveRefresh(
    ['alert.changed', 'maintenance.changed', 'deployment.changed'],
    [OPS_KEY, ['maintenance-banner']],
  )
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">Operations</h1>
        {tiles.data && (
          <p className="text-sm text-stone-600 dark:text-stone-400">
            As of {when(tiles.data.at)} · updates live
          </p>
        )}
      </div>
      <TileSections />
      <AlertsPanel />
      <DeploymentsPanel />
      <OnCallPanel />
      <NotificationsPanel />
      <ErrorsPanel />
      <MaintenancePanel />
      <BackupsPanel />
      <DbMaintenancePanel />
      {params && <AlertTimeline key={params.id} id={params.id} onClose={() => navigate('/ops')} />}
    </div>
  )
}
