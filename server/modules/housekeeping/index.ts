import type { Module } from '../module.ts'
import { retentionJob } from './jobs.ts'

/** Housekeeping: retention of the records that make writes safe to retry (idempotency keys, webhook ids). */
export const housekeepingModule: Module = {
  name: 'housekeeping',
  jobs: [retentionJob],
}
