import { defineJob } from '../../platform/jobs/jobs.ts'
import { pruneInstances } from './service.ts'

const KEEP_DAYS = 30

export const pruneInstancesJob = defineJob({
  name: 'instances.prune',
  description: `Deletes records of processes not seen for ${KEEP_DAYS} days.`,
  schedule: '17 3 * * *',
  singleton: true,
  async handler(_data, ctx) {
    const deleted = await pruneInstances(ctx, KEEP_DAYS)
    ctx.logger.info({ deleted }, 'pruned old instance records')
  },
})
