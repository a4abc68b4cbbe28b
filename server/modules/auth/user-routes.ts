import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import { Nullable } from '../../platform/http/schema.ts'
import { RoleSchema } from '../apikeys/schemas.ts'
import { createUser, getUser, listUsers, resetPassword, setDisabled, setRole, unlockUser } from './users.ts'

const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  disabled: Type.Boolean(),
  demo: Type.Boolean(),
  twoFactorEnabled: Type.Boolean(),
  lockedUntil: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
})

const Password = Type.String({ minLength: 12, maxLength: 128 })
const IdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
})

const CreateBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role: RoleSchema,
    password: Password,
  },
  { additionalProperties: false },
)

const PatchBody = Type.Object(
  { role: Type.Optional(RoleSchema), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
)

export function userRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const admin = { access: 'admin' as const }

  app.get(
    '/api/users',
    {
      config: admin,
      schema: {
        summary: 'People with accounts',
        response: { 200: Type.Object({ items: Type.Array(User) }) },
      },
    },
    async () => ({
      items: await listUsers(ctx),
    }),
  )

  app.post(
    '/api/users',
    { config: admin, schema: { summary: 'Create an account', body: CreateBody, response: { 201: User } } },
    async (request, reply) => {
      const created = await createUser(ctx, request.body, actorOf(request.principal), requestFacts(request))
      return reply.status(201).send(await getUser(ctx, created.id))
    },
  )

  app.patch(
    '/api/users/:id',
    {
      config: admin,
      schema: {
        summary: 'Change role or disable/enable',
        params: IdParams,
        body: PatchBody,
        response: { 200: User },
      },
    },
    async (request) => {
      const actor = actorOf(request.principal)
      const facts = requestFacts(request)
      let user = await getUser(ctx, request.params.id)
      if (request.body.role) user = await setRole(ctx, user.id, request.body.role, actor, facts)
      if (request.body.disabled !== undefined)
        user = await setDisabled(ctx, user.id, request.body.disabled, actor, facts)
      return user
    },
  )

  app.post(
    '/api/users/:id/unlock',
    {
      config: admin,
      schema: { summary: 'Lift a sign-in lockout', params: IdParams, response: { 200: User } },
    },
    (request) => unlockUser(ctx, request.params.id, actorOf(request.principal), requestFacts(request)),
  )

  app.post(
    '/api/users/:id/password',
    {
      config: admin,
      schema: {
        summary: "Set a new password (ends the user's sessions)",
        params: IdParams,
        body: Type.Object({ password: Password }, { additionalProperties: false }),
        response: { 200: User },
      },
    },
    (request) =>
      resetPassword(
        ctx,
        request.params.id,
        request.body.password,
        actorOf(request.principal),
        requestFacts(request),
      ),
  )
}
