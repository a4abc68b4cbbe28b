import { Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'

const Instant = Type.String({ format: 'date-time' })
const Detail = Type.Record(Type.String(), Type.Unknown())

export const ReportQuery = Type.Object({
  perJob: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5, description: 'runs per job' })),
})

const Job = Type.Object({
  name: Type.String(),
  description: Type.String(),
  schedule: Nullable(Type.String({ description: 'cron expression (UTC); null: not scheduled' })),
})

const Run = Type.Object({
  id: Type.String(),
  job: Type.String(),
  instance: Type.String({ description: 'the process that ran it' }),
  startedAt: Instant,
  finishedAt: Nullable(Instant),
  durationMs: Nullable(Type.Integer()),
  outcome: Type.Union([
    Type.Literal('ok'),
    Type.Literal('failed'),
    Type.Literal('skipped'),
    Type.Literal('running'),
  ]),
  detail: Nullable(Detail),
  error: Nullable(Type.String()),
})

const IndexBloat = Type.Object({
  index: Type.String(),
  table: Type.String(),
  bytes: Type.Integer(),
  bloatPercent: Nullable(Type.Number({ description: 'estimated; null without statistics' })),
  bloatBytes: Nullable(Type.Integer()),
})

const TableBloat = Type.Object({
  table: Type.String(),
  liveTuples: Type.Integer(),
  deadTuples: Type.Integer(),
  deadRatio: Type.Number({ description: 'dead over all row versions, 0 to 1' }),
  lastVacuum: Nullable(Instant),
  lastAutovacuum: Nullable(Instant),
  lastAnalyze: Nullable(Instant),
  lastAutoanalyze: Nullable(Instant),
  tableBytes: Type.Integer(),
  indexBytes: Type.Integer(),
  indexes: Type.Array(IndexBloat),
  advice: Type.Array(Type.String(), { description: 'statements to run; empty: nothing to do' }),
})

export const Report = Type.Object({
  engine: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
  jobs: Type.Array(Job),
  runs: Type.Array(Run, { description: 'the latest runs of each job, newest first' }),
  bloat: Type.Array(TableBloat, { description: "the app schema's tables, most dead rows first" }),
})
