import { apiKeysModule } from './apikeys/index.ts'
import { auditModule } from './audit/index.ts'
import { authModule } from './auth/index.ts'
import { healthModule } from './health/index.ts'
import { instancesModule } from './instances/index.ts'
import { metricsModule } from './metrics/index.ts'
import type { Module } from './module.ts'
import { securityModule } from './security/index.ts'
import { settingsModule } from './settings/index.ts'

/** Every feature module, in start order. */
export const modules: Module[] = [
  instancesModule,
  securityModule,
  healthModule,
  metricsModule,
  auditModule,
  apiKeysModule,
  authModule,
  settingsModule,
]
