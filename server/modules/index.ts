import { alertingModule } from './alerting/index.ts'
import { apiKeysModule } from './apikeys/index.ts'
import { auditModule } from './audit/index.ts'
import { authModule } from './auth/index.ts'
import { backupsModule } from './backups/index.ts'
import { catalogModule } from './catalog/index.ts'
import { connectorsModule } from './connectors/index.ts'
import { dbMaintenanceModule } from './dbmaintenance/index.ts'
import { demoModule } from './demo/index.ts'
import { deploymentsModule } from './deployments/index.ts'
import { errorsModule } from './errors/index.ts'
import { eventsModule } from './events/index.ts'
import { financeModule } from './finance/index.ts'
import { forecastingModule } from './forecasting/index.ts'
import { healthModule } from './health/index.ts'
import { housekeepingModule } from './housekeeping/index.ts'
import { importsModule } from './imports/index.ts'
import { incidentsModule } from './incidents/index.ts'
import { instancesModule } from './instances/index.ts'
import { integrationsModule } from './integrations/index.ts'
import { inventoryModule } from './inventory/index.ts'
import { kpisModule } from './kpis/index.ts'
import { maintenanceModule } from './maintenance/index.ts'
import { metricsModule } from './metrics/index.ts'
import type { Module } from './module.ts'
import { monitoringModule } from './monitoring/index.ts'
import { notificationsModule } from './notifications/index.ts'
import { oncallModule } from './oncall/index.ts'
import { opsModule } from './ops/index.ts'
import { ordersModule } from './orders/index.ts'
import { productionModule } from './production/index.ts'
import { securityModule } from './security/index.ts'
import { settingsModule } from './settings/index.ts'
import { trafficModule } from './traffic/index.ts'
import { webModule } from './web/index.ts'

/** Every feature module, in start order. */
export const modules: Module[] = [
  instancesModule,
  securityModule,
  healthModule,
  metricsModule,
  monitoringModule,
  errorsModule,
  auditModule,
  apiKeysModule,
  authModule,
  settingsModule,
  maintenanceModule,
  catalogModule,
  ordersModule,
  eventsModule,
  kpisModule,
  forecastingModule,
  demoModule,
  inventoryModule,
  integrationsModule,
  connectorsModule,
  productionModule,
  webModule,
  financeModule,
  trafficModule,
  housekeepingModule,
  importsModule,
  notificationsModule,
  oncallModule,
  alertingModule,
  deploymentsModule,
  incidentsModule,
  dbMaintenanceModule,
  backupsModule,
  opsModule,
]
