import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeTestContext, createTestContext } from '../../../test/app.ts'
import type { AppContext } from '../../context.ts'
import { defineJob, Jobs } from './jobs.ts'

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`gave up waiting for ${what}`)
}

describe('jobs platform', () => {
  let ctx: AppContext
  beforeAll(async () => {
    ctx = await createTestContext()
  })
  afterAll(() => closeTestContext(ctx))

  it('stores the cron schedules of module jobs in the database', async () => {
    const schedules = await ctx.jobs.boss.getSchedules()
    expect(schedules).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'instances.prune', cron: '17 3 * * *' })]),
    )
    expect(await ctx.jobs.health()).toMatchObject({ status: 'ok', worker: true })
  })

  it('runs a declared job with its payload and the app context, retrying a failure', async () => {
    const seen: { value: number; attempt: number }[] = []
    let attempts = 0
    const echo = defineJob<{ value: number }>({
      name: 'test.echo',
      description: 'records its payload; fails on the first attempt',
      retryLimit: 2,
      retryDelaySeconds: 1,
      async handler(data, jobCtx) {
        attempts += 1
        expect(jobCtx).toBe(ctx)
        if (attempts === 1) throw new Error('first attempt fails')
        seen.push({ value: data.value, attempt: attempts })
      },
    })
    const jobs = new Jobs(ctx.database, [echo], ctx.logger)
    // A retry coming due is not announced: the worker finds it by polling.
    const second = { pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 }
    await jobs.start({ work: true, schedule: false, polling: second }, () => ctx)
    try {
      const id = await jobs.send(echo, { value: 42 })
      expect(id).toBeTruthy()
      await waitFor(() => seen.length === 1, 'the retried job')
      expect(seen).toEqual([{ value: 42, attempt: 2 }])
    } finally {
      await jobs.stop(5000)
    }
  })

  it.runIf(process.env.DATABASE_URL === undefined)(
    'wakes an idle worker on the embedded engine when a job is sent, without waiting for a poll',
    async () => {
      const seen: number[] = []
      const ping = defineJob<{ n: number }>({
        name: 'test.ping',
        description: 'records its payload',
        async handler(data) {
          seen.push(data.n)
        },
      })
      // A queue from an earlier version, made without NOTIFY: starting must turn it on.
      await ctx.jobs.boss.createQueue('test.ping')
      const jobs = new Jobs(ctx.database, [ping], ctx.logger)
      // Polls an hour apart: after its first fetch the worker only wakes when told.
      const hour = 3600
      await jobs.start(
        {
          work: true,
          schedule: false,
          polling: { pollingIntervalSeconds: hour, notifyPollingIntervalSeconds: hour },
        },
        () => ctx,
      )
      try {
        await jobs.send(ping, { n: 1 })
        await waitFor(() => seen.length === 1, 'the first job')
        // The worker has fetched and is now waiting out its hour.
        await jobs.send(ping, { n: 2 })
        await waitFor(() => seen.length === 2, 'the second job, woken by NOTIFY')
        expect(seen).toEqual([1, 2])
      } finally {
        await jobs.stop(5000)
      }
    },
  )

  it('reports the queue as down once stopped', async () => {
    const jobs = new Jobs(ctx.database, [], ctx.logger)
    expect(await jobs.health()).toMatchObject({ status: 'down', required: true })
  })
})
