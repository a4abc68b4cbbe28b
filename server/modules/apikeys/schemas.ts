import { Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'

export const RoleSchema = Type.Union([
  Type.Literal('viewer'),
  Type.Literal('operator'),
  Type.Literal('manager'),
  Type.Literal('admin'),
])

export const ApiKey = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  role: RoleSchema,
  prefix: Type.String(),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Nullable(Type.String({ format: 'date-time' })),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
  replacedBy: Nullable(Type.String({ format: 'uuid' })),
  state: Type.Union([
    Type.Literal('active'),
    Type.Literal('expiring'),
    Type.Literal('expired'),
    Type.Literal('revoked'),
  ]),
})

export const ApiKeyList = Type.Object({ items: Type.Array(ApiKey) })

export const ListQuery = Type.Object(
  { includeInactive: Type.Boolean({ default: false }) },
  { additionalProperties: false },
)

export const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\p{L}\\p{N} ._:/@-]+$' }),
    role: RoleSchema,
  },
  { additionalProperties: false },
)

export const IssuedKey = Type.Object({ apiKey: ApiKey, key: Type.String() })
export const RotatedKey = Type.Object({ apiKey: ApiKey, key: Type.String(), previous: ApiKey })

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export const RotateBody = Type.Object(
  { overlapHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 2160 })) },
  { additionalProperties: false },
)
