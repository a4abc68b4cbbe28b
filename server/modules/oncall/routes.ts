import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../context.ts'
import { notFound } from '../../platform/http/errors.ts'
import { changeOf } from '../../platform/http/principal.ts'
import { type Contact, createContact, deleteContact, listContacts, updateContact } from './contacts.ts'
import { createOverride, deleteOverride, listOverrides } from './overrides.ts'
import { assignRole, listRoles } from './roles.ts'
import {
  createSchedule,
  deleteRotation,
  deleteSchedule,
  getSchedule,
  listSchedules,
  putRotation,
  updateSchedule,
} from './schedules.ts'
import {
  ContactCreate,
  ContactPatch,
  Contact as ContactSchema,
  ContactsQuery,
  IdParams,
  listOf,
  NowQuery,
  OnCallNow,
  Override,
  OverrideBody,
  OverridesQuery,
  RoleAssignment,
  RoleBody,
  RoleParams,
  Rotation,
  RotationBody,
  RotationParams,
  Schedule,
  ScheduleCreate,
  SchedulePatch,
  Shifts,
  ShiftsQuery,
} from './schemas.ts'
import { getContact, onCallAt, shiftsOf } from './service.ts'
import { maskWebhook } from './writes.ts'

/** Everyone signed in sees who is on call and the vendor contacts; admins change them. */
const READ = { access: 'viewer' as const }
const EDIT = { access: 'admin' as const }

/** A webhook URL can carry its credential, so only admins see it whole. */
function shown(request: FastifyRequest) {
  const admin = request.principal?.role === 'admin'
  return <T extends Contact | null>(contact: T): T =>
    admin || contact === null ? contact : { ...contact, webhookUrl: maskWebhook(contact.webhookUrl) }
}

export function oncallRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/oncall/now',
    {
      config: READ,
      schema: {
        summary: 'Who is on call now (or at a time), in the named or the default schedule',
        querystring: NowQuery,
        response: { 200: OnCallNow },
      },
    },
    async (request) => {
      const at = request.query.at ? new Date(request.query.at) : ctx.clock.now()
      const now = await onCallAt(ctx, { at, schedule: request.query.schedule })
      if (!now)
        throw notFound(
          request.query.schedule
            ? `No on-call schedule named ${request.query.schedule}`
            : 'No on-call schedule is set up',
        )
      const show = shown(request)
      return {
        ...now,
        at: at.toISOString(),
        primary: show(now.primary),
        secondary: show(now.secondary),
        primaryUntil: now.primaryUntil?.toISOString() ?? null,
        secondaryUntil: now.secondaryUntil?.toISOString() ?? null,
      }
    },
  )

  // Contacts

  app.get(
    '/api/oncall/contacts',
    {
      config: READ,
      schema: {
        summary: 'The contacts directory: people and vendor support',
        querystring: ContactsQuery,
        response: { 200: listOf(ContactSchema) },
      },
    },
    async (request) => ({ items: (await listContacts(ctx, request.query)).map(shown(request)) }),
  )
  app.get(
    '/api/oncall/contacts/:id',
    { config: READ, schema: { summary: 'One contact', params: IdParams, response: { 200: ContactSchema } } },
    async (request) => {
      const contact = await getContact(ctx, request.params.id)
      if (!contact) throw notFound(`No contact ${request.params.id}`)
      return shown(request)(contact)
    },
  )
  app.post(
    '/api/oncall/contacts',
    {
      config: EDIT,
      schema: {
        summary: 'Add a person or vendor contact',
        body: ContactCreate,
        response: { 201: ContactSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createContact(ctx, request.body, changeOf(request))),
  )
  app.patch(
    '/api/oncall/contacts/:id',
    {
      config: EDIT,
      schema: {
        summary: 'Change a contact (null clears a field)',
        params: IdParams,
        body: ContactPatch,
        response: { 200: ContactSchema },
      },
    },
    (request) => updateContact(ctx, request.params.id, request.body, changeOf(request)),
  )
  app.delete(
    '/api/oncall/contacts/:id',
    {
      config: EDIT,
      schema: {
        summary: 'Delete a contact no role, rotation or current override uses (409 otherwise)',
        params: IdParams,
        response: { 200: ContactSchema },
      },
    },
    (request) => deleteContact(ctx, request.params.id, changeOf(request)),
  )

  // Escalation roles

  app.get(
    '/api/oncall/roles',
    {
      config: READ,
      schema: {
        summary: 'The runbook escalation roles and who holds them',
        response: { 200: listOf(RoleAssignment) },
      },
    },
    async (request) => {
      const show = shown(request)
      return { items: (await listRoles(ctx)).map((r) => ({ ...r, contact: show(r.contact) })) }
    },
  )
  app.put(
    '/api/oncall/roles/:role',
    {
      config: EDIT,
      schema: {
        summary: 'Give an escalation role to a person (null: unassigned)',
        params: RoleParams,
        body: RoleBody,
        response: { 200: RoleAssignment },
      },
    },
    (request) => assignRole(ctx, request.params.role, request.body.contactId, changeOf(request)),
  )

  // Schedules and rotations

  app.get(
    '/api/oncall/schedules',
    {
      config: READ,
      schema: { summary: 'On-call schedules with their rotations', response: { 200: listOf(Schedule) } },
    },
    async () => ({ items: await listSchedules(ctx) }),
  )
  app.get(
    '/api/oncall/schedules/:id',
    { config: READ, schema: { summary: 'One schedule', params: IdParams, response: { 200: Schedule } } },
    (request) => getSchedule(ctx, request.params.id),
  )
  app.post(
    '/api/oncall/schedules',
    {
      config: EDIT,
      schema: {
        summary: 'Add a schedule in an IANA time zone',
        body: ScheduleCreate,
        response: { 201: Schedule },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createSchedule(ctx, request.body, changeOf(request))),
  )
  app.patch(
    '/api/oncall/schedules/:id',
    {
      config: EDIT,
      schema: {
        summary: 'Rename a schedule, change its zone or make it the default',
        params: IdParams,
        body: SchedulePatch,
        response: { 200: Schedule },
      },
    },
    (request) => updateSchedule(ctx, request.params.id, request.body, changeOf(request)),
  )
  app.delete(
    '/api/oncall/schedules/:id',
    {
      config: EDIT,
      schema: {
        summary: 'Delete a schedule with its rotations and overrides',
        params: IdParams,
        response: { 200: Schedule },
      },
    },
    (request) => deleteSchedule(ctx, request.params.id, changeOf(request)),
  )
  app.put(
    '/api/oncall/schedules/:id/rotations/:tier',
    {
      config: EDIT,
      schema: {
        summary: "Set a tier's rotation: participants in order, shift length, local handoff time, start date",
        params: RotationParams,
        body: RotationBody,
        response: { 200: Rotation },
      },
    },
    (request) => putRotation(ctx, request.params.id, request.params.tier, request.body, changeOf(request)),
  )
  app.delete(
    '/api/oncall/schedules/:id/rotations/:tier',
    {
      config: EDIT,
      schema: { summary: "Remove a tier's rotation", params: RotationParams, response: { 200: Rotation } },
    },
    (request) => deleteRotation(ctx, request.params.id, request.params.tier, changeOf(request)),
  )
  app.get(
    '/api/oncall/schedules/:id/shifts',
    {
      config: READ,
      schema: {
        summary: 'Who holds each tier over a window (default the next 28 days), overrides applied',
        params: IdParams,
        querystring: ShiftsQuery,
        response: { 200: Shifts },
      },
    },
    async (request) => {
      const { from, to } = request.query
      const shifts = await shiftsOf(ctx, request.params.id, {
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      })
      const show = shown(request)
      return { ...shifts, items: shifts.items.map((item) => ({ ...item, contact: show(item.contact) })) }
    },
  )

  // Overrides

  app.get(
    '/api/oncall/schedules/:id/overrides',
    {
      config: READ,
      schema: {
        summary: "A schedule's overrides not yet over (or ending after `since`)",
        params: IdParams,
        querystring: OverridesQuery,
        response: { 200: listOf(Override) },
      },
    },
    async (request) => ({
      items: await listOverrides(ctx, request.params.id, {
        since: request.query.since ? new Date(request.query.since) : undefined,
      }),
    }),
  )
  app.post(
    '/api/oncall/schedules/:id/overrides',
    {
      config: EDIT,
      schema: {
        summary: 'Someone else holds a tier from start to end; the latest override wins',
        params: IdParams,
        body: OverrideBody,
        response: { 201: Override },
      },
    },
    async (request, reply) => {
      const { start, end, ...rest } = request.body
      const override = await createOverride(
        ctx,
        request.params.id,
        { ...rest, start: new Date(start), end: new Date(end) },
        changeOf(request),
      )
      return reply.status(201).send(override)
    },
  )
  app.delete(
    '/api/oncall/overrides/:id',
    {
      config: EDIT,
      schema: { summary: 'Remove an override', params: IdParams, response: { 200: Override } },
    },
    (request) => deleteOverride(ctx, request.params.id, changeOf(request)),
  )
}
