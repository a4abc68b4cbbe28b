import { Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'

/** The backups API: one schema per route. */

export const IdParams = Type.Object({ id: Type.String({ pattern: '^bk_[0-9]{8}T[0-9]{6}Z_[0-9a-f]{6}$' }) })

export const ListQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
  { additionalProperties: false },
)

const State = Type.Union([Type.Literal('unverified'), Type.Literal('good'), Type.Literal('corrupt')])

export const Backup = Type.Object({
  id: Type.String(),
  engine: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
  status: Type.Union([Type.Literal('running'), Type.Literal('complete'), Type.Literal('failed')]),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  sizeBytes: Nullable(Type.Number()),
  sha256: Nullable(Type.String()),
  stores: Type.Array(Type.String()),
  verifyState: State,
  verifiedAt: Nullable(Type.String()),
  error: Nullable(Type.String()),
})

export const BackupList = Type.Object({ items: Type.Array(Backup) })

const Check = Type.Object({ name: Type.String(), ok: Type.Boolean(), detail: Type.String() })

export const VerifyReport = Type.Object({
  id: Type.String(),
  state: Type.Union([Type.Literal('good'), Type.Literal('corrupt')]),
  store: Nullable(Type.String()),
  checks: Type.Array(Check),
  verifiedAt: Type.String(),
})

export const BackupDetail = Type.Intersect([
  Backup,
  Type.Object({
    manifest: Nullable(
      Type.Object(
        {
          engine: Type.String(),
          serverVersion: Type.String(),
          appVersion: Type.String(),
          migration: Nullable(Type.String()),
          tables: Type.Record(Type.String(), Type.Integer()),
          sha256: Type.String(),
          sizeBytes: Type.Integer(),
          startedAt: Type.String(),
          finishedAt: Type.String(),
          format: Type.String(),
        },
        { additionalProperties: true },
      ),
    ),
    verifyReport: Nullable(VerifyReport),
  }),
])

export const DrillQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 20 }) },
  { additionalProperties: false },
)

const Integrity = Type.Object({
  ok: Type.Boolean(),
  tables: Type.Array(
    Type.Object({
      name: Type.String(),
      expected: Nullable(Type.Integer()),
      actual: Nullable(Type.Integer()),
      ok: Type.Boolean(),
    }),
  ),
  migration: Type.Object({
    expected: Nullable(Type.String()),
    actual: Nullable(Type.String()),
    ok: Type.Boolean(),
  }),
})

export const Drill = Type.Object({
  id: Type.String(),
  backupId: Nullable(Type.String()),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  outcome: Type.Union([Type.Literal('passed'), Type.Literal('failed')]),
  rtoSeconds: Nullable(Type.Number()),
  rpoSeconds: Nullable(Type.Number()),
  rtoMet: Nullable(Type.Boolean()),
  rpoMet: Nullable(Type.Boolean()),
  error: Nullable(Type.String()),
  report: Type.Object({
    verify: Type.Optional(Type.Object({ state: Type.String(), failed: Type.Array(Type.String()) })),
    integrity: Type.Optional(Integrity),
    queries: Type.Optional(Type.Array(Check)),
    scratch: Type.Optional(Type.Object({ target: Type.String(), removed: Type.Boolean() })),
  }),
})

export const DrillList = Type.Object({
  items: Type.Array(Drill),
  objectives: Type.Object({ rtoSeconds: Type.Number(), rpoSeconds: Type.Number() }),
  newestVerifiedBackupAgeSeconds: Nullable(Type.Number()),
})
