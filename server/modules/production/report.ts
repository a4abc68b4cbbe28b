import { type Kysely, sql, type Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Tables } from '../../platform/db/schema.ts'
import { cycleMinutesFromRate, type Oee, type OeeInput, rollUp } from './oee.ts'

type Executor = Kysely<Tables> | Transaction<Tables>

/**
 * Batches with what their OEE needs: the line's ideal rate and the batch's recorded downtime
 * (minutes, 0 when none). Lists, single batches and the OEE reports all read through this.
 */
export function batchRows(db: Executor) {
  return db
    .selectFrom('production_batches as b')
    .innerJoin('production_lines as l', 'l.code', 'b.line_code')
    .selectAll('b')
    .select((eb) => [
      'l.ideal_rate_per_hour',
      eb
        .selectFrom('production_downtime as d')
        .select((d) => d.fn.coalesce(d.fn.sum<string>('d.minutes'), sql<string>`0`).as('m'))
        .whereRef('d.batch_id', '=', 'b.id')
        .as('downtime'),
    ])
}

export type BatchRow = Awaited<ReturnType<ReturnType<typeof batchRows>['execute']>>[number]

/**
 * One completed batch as OEE inputs: planned time runs from its start to its end, downtime is
 * the sum of its recorded stops, the ideal cycle comes from its line's rate per hour.
 */
export function oeeInputOf(batch: BatchRow): OeeInput {
  return {
    plannedMinutes: (new Date(batch.ended_at!).getTime() - new Date(batch.started_at!).getTime()) / 60_000,
    downtimeMinutes: Number(batch.downtime ?? 0),
    idealCycleMinutes: cycleMinutesFromRate(Number(batch.ideal_rate_per_hour) / 60),
    totalCount: batch.good_count + batch.rejected_count,
    goodCount: batch.good_count,
  }
}

const round = (value: number | null, digits = 4) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits

/** Ratios as the API shows them: four decimals (0.8333). */
export const roundOee = (figures: Oee): Oee => ({
  availability: round(figures.availability),
  performance: round(figures.performance),
  quality: round(figures.quality),
  oee: round(figures.oee),
})

export interface OeeTotals extends Oee {
  batches: number
  plannedMinutes: number
  downtimeMinutes: number
  goodCount: number
  rejectedCount: number
}

/**
 * The OEE of a set of completed batches, rolled up from their times and counts (never averaged).
 * Batches without measured times (booked from another system) add their output, not their OEE.
 */
function totalsOf(rows: BatchRow[]): OeeTotals {
  const inputs = rows.filter((row) => row.measured).map(oeeInputOf)
  const output = rows.reduce((total, row) => total + row.good_count, 0)
  const sum = (pick: (input: OeeInput) => number) => inputs.reduce((total, input) => total + pick(input), 0)
  return {
    batches: rows.length,
    plannedMinutes: round(
      sum((i) => i.plannedMinutes),
      2,
    )!,
    downtimeMinutes: sum((i) => i.downtimeMinutes),
    goodCount: output,
    rejectedCount: sum((i) => i.totalCount - i.goodCount),
    ...roundOee(rollUp(inputs)),
  }
}

/** Completed batches that ended in [from, to). */
function completedIn(db: Executor, from: Date, to: Date): Promise<BatchRow[]> {
  return batchRows(db)
    .where('b.status', '=', 'completed')
    .where('b.ended_at', '>=', from)
    .where('b.ended_at', '<', to)
    .execute()
}

/** OEE of the batches that ended in the window, rolled up from their times and counts. */
export async function plantOee(
  ctx: AppContext,
  from: Date,
  to: Date,
): Promise<Oee & { goodUnits: number; batches: number }> {
  const { availability, performance, quality, oee, goodCount, batches } = totalsOf(
    await completedIn(ctx.db, from, to),
  )
  return { availability, performance, quality, oee, goodUnits: goodCount, batches }
}

export interface OeeReport {
  from: string
  to: string
  by: 'line' | 'plant'
  plant: OeeTotals
  /** Every line (idle ones too) when by = line; empty when by = plant. */
  lines: (OeeTotals & { line: string })[]
}

/** The plant's OEE over a window and, by line, each line's: each rolled up from its own batches. */
export async function oeeReport(
  ctx: AppContext,
  window: { from: Date; to: Date; by: 'line' | 'plant' },
): Promise<OeeReport> {
  const rows = await completedIn(ctx.db, window.from, window.to)
  const lines =
    window.by === 'line'
      ? await ctx.db.selectFrom('production_lines').select('code').orderBy('code').execute()
      : []
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    by: window.by,
    plant: totalsOf(rows),
    lines: lines.map(({ code }) => ({
      line: code,
      ...totalsOf(rows.filter((row) => row.line_code === code)),
    })),
  }
}
