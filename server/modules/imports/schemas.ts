import { Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'

/** Rows per batch unless the caller picks another size. */
export const DEFAULT_BATCH_SIZE = 5000
export const MAX_BATCH_SIZE = 10_000

const ImportTypeSchema = Type.Union([
  Type.Literal('orders'),
  Type.Literal('products'),
  Type.Literal('stock'),
  Type.Literal('sessions'),
])

export const ImportQuery = Type.Object(
  {
    dryRun: Type.Boolean({ default: false, description: 'check everything and report, writing nothing' }),
    batchSize: Type.Integer({
      minimum: 1,
      maximum: MAX_BATCH_SIZE,
      default: DEFAULT_BATCH_SIZE,
      description: 'rows per all-or-nothing batch (an order is never split)',
    }),
    file: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'file name for the history and the audit log',
      }),
    ),
  },
  { additionalProperties: false },
)

const RowErrorSchema = Type.Object({
  row: Type.Integer({ description: 'line in the file; the header is row 1' }),
  column: Nullable(Type.String()),
  message: Type.String(),
})

const counts = {
  rows: Type.Integer({ description: 'data rows read' }),
  created: Type.Integer(),
  updated: Type.Integer(),
  skipped: Type.Integer({ description: 'records imported before, left as they are' }),
  failed: Type.Integer({ description: 'rows not imported: with an error, or in a rolled-back batch' }),
}

export const ImportReportSchema = Type.Object({
  id: Nullable(Type.String({ description: 'history entry; null for a dry run' })),
  type: ImportTypeSchema,
  dryRun: Type.Boolean(),
  file: Nullable(Type.String()),
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('partial'), Type.Literal('failed')]),
  record: Type.String({ description: 'what created, updated and skipped count' }),
  ...counts,
  batches: Type.Object({ size: Type.Integer(), committed: Type.Integer(), rolledBack: Type.Integer() }),
  rolledBack: Type.Array(
    Type.Object({
      batch: Type.Integer(),
      fromRow: Type.Integer(),
      toRow: Type.Integer(),
      rows: Type.Integer(),
    }),
  ),
  errors: Type.Array(RowErrorSchema, { description: 'the first 100, in file order' }),
  errorCount: Type.Integer(),
  elapsedMs: Type.Number(),
  rowsPerSecond: Type.Integer(),
  fileError: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
})

const RunFields = {
  id: Type.String(),
  type: ImportTypeSchema,
  file: Nullable(Type.String()),
  status: Type.Union([
    Type.Literal('running'),
    Type.Literal('succeeded'),
    Type.Literal('partial'),
    Type.Literal('failed'),
  ]),
  actor: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  ...counts,
}

export const ImportRunList = Type.Object({
  items: Type.Array(Type.Object(RunFields)),
  nextCursor: Nullable(Type.String()),
})

export const ImportRun = Type.Object({
  ...RunFields,
  report: Nullable(Type.Omit(ImportReportSchema, ['fileError'])),
})

export const RunQuery = Type.Object(
  {
    type: Type.Optional(ImportTypeSchema),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

export const RunParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w-]+$' }),
})
