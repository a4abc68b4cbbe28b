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
    const jobs = new Jobs(ctx.database.pool, ctx.database.engine, [echo], ctx.logger)
    await jobs.start({ work: true, schedule: false }, () => ctx)
    try {
      const id = await jobs.send(echo, { value: 42 })
      expect(id).toBeTruthy()
      await waitFor(() => seen.length === 1, 'the retried job')
      expect(seen).toEqual([{ value: 42, attempt: 2 }])
    } finally {
      await jobs.stop(5000)
    }
  })

  it('reports the queue as down once stopped', async () => {
    const jobs = new Jobs(ctx.database.pool, ctx.database.engine, [], ctx.logger)
    expect(await jobs.health()).toMatchObject({ status: 'down', required: true })
  })
})
