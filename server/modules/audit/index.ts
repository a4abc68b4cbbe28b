import type { Module } from '../module.ts'
import { auditRetentionJob } from './jobs.ts'
import { auditRoutes } from './routes.ts'

export const auditModule: Module = {
  name: 'audit',
  routes: auditRoutes,
  jobs: [auditRetentionJob],
}
