import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import { Nullable } from '../../platform/http/schema.ts'
import { RoleSchema } from '../apikeys/schemas.ts'
import {
  acceptInvitation,
  inviteUser,
  listInvitations,
  lookupInvitation,
  revokeInvitation,
} from './invitations.ts'
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

const Invitation = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: RoleSchema,
  invitedBy: Type.String(),
  status: Type.Union([
    Type.Literal('open'),
    Type.Literal('accepted'),
    Type.Literal('revoked'),
    Type.Literal('expired'),
  ]),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  acceptedAt: Nullable(Type.String({ format: 'date-time' })),
  userId: Nullable(Type.String()),
})

const InviteBody = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }), role: RoleSchema },
  { additionalProperties: false },
)

/** An invitation link's token: 32 random bytes in base64url. */
const Token = Type.String({ minLength: 43, maxLength: 43, pattern: '^[A-Za-z0-9_-]+$' })

const AcceptBody = Type.Object(
  { token: Token, name: Type.String({ minLength: 1, maxLength: 100 }), password: Password },
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

  app.get(
    '/api/users/invitations',
    {
      config: admin,
      schema: {
        summary: 'Invitations, newest first, with their status',
        response: { 200: Type.Object({ items: Type.Array(Invitation) }) },
      },
    },
    async () => ({ items: await listInvitations(ctx) }),
  )

  app.post(
    '/api/users/invitations',
    {
      config: admin,
      schema: {
        summary: 'Invite someone by email with a role (the link is shown once)',
        body: InviteBody,
        response: { 201: Type.Object({ invitation: Invitation, url: Type.String() }) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request.principal)
      const { invitation, url } = await inviteUser(ctx, request.body, actor, requestFacts(request))
      return reply.status(201).send({ invitation, url })
    },
  )

  app.delete(
    '/api/users/invitations/:id',
    {
      config: admin,
      schema: { summary: 'Revoke an open invitation', params: IdParams, response: { 200: Invitation } },
    },
    (request) => revokeInvitation(ctx, request.params.id, actorOf(request.principal), requestFacts(request)),
  )

  // The invited person has no account yet: these two are public, and the token is the credential
  // (in the body, so that it is never written to a request log).
  app.post(
    '/api/invitations/lookup',
    {
      config: { access: 'public' },
      schema: {
        summary: 'What an invitation link is for (email, role, expiry)',
        body: Type.Object({ token: Token }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            email: Type.String(),
            role: RoleSchema,
            expiresAt: Type.String({ format: 'date-time' }),
          }),
        },
      },
    },
    (request) => lookupInvitation(ctx, request.body.token),
  )

  app.post(
    '/api/invitations/accept',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Accept an invitation: choose your name and password',
        body: AcceptBody,
        response: { 201: Type.Object({ id: Type.String(), email: Type.String(), role: RoleSchema }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await acceptInvitation(ctx, request.body, requestFacts(request))),
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
