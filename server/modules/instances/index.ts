import type { Module } from '../module.ts'
import { pruneInstancesJob } from './jobs.ts'
import { deregisterInstance, registerInstance } from './service.ts'

export const instancesModule: Module = {
  name: 'instances',
  jobs: [pruneInstancesJob],
  start: registerInstance,
  stop: deregisterInstance,
}
