import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { changeOf } from '../../platform/http/principal.ts'
import { setChecklistStep } from './checklist.ts'
import { previewMessage, sendIncidentMessage } from './comms.ts'
import {
  ActionBody,
  ActionItem,
  ActionParams,
  ActionPatch,
  Deleted,
  IncidentParams,
  MessageBody,
  MessagePreview,
  MessageSent,
  Postmortem,
  PostmortemBody,
  Step,
  StepBody,
  StepParams,
  TemplateParams,
} from './extras-schemas.ts'
import {
  createAction,
  deleteAction,
  exportPostmortem,
  getPostmortem,
  updateAction,
  updatePostmortem,
} from './postmortem.ts'

/**
 * Communications, post-mortems and the data-breach checklist of an incident. Everyone signed in
 * reads; operators work the checklist; managers send messages and write post-mortems.
 */

export function incidentExtrasRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/incidents/:id/messages/:template',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'A runbook message (initial, update, resolution) filled from the incident, to edit before sending',
        params: TemplateParams,
        response: { 200: MessagePreview },
      },
    },
    (request) => previewMessage(ctx, request.params.id, request.params.template),
  )

  app.post(
    '/api/incidents/:id/messages',
    {
      config: { access: 'manager' },
      schema: {
        summary:
          "Post a message to the incident's channels (or those given) and its timeline; send an Idempotency-Key header to make retries safe",
        params: IncidentParams,
        body: MessageBody,
        response: { 201: MessageSent },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key']
      const result = await sendIncidentMessage(ctx, request.params.id, request.body, {
        ...changeOf(request),
        idempotencyKey: Array.isArray(key) ? key[0] : key,
      })
      if (result.replayed) reply.header('idempotent-replayed', 'true')
      return reply.status(201).send(result.body)
    },
  )

  app.get(
    '/api/incidents/:id/postmortem',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'The post-mortem with its action items, blameless-wording warnings and the guidance per section',
        params: IncidentParams,
        response: { 200: Postmortem },
      },
    },
    (request) => getPostmortem(ctx, request.params.id),
  )

  app.put(
    '/api/incidents/:id/postmortem',
    {
      config: { access: 'manager' },
      schema: {
        summary: 'Write sections or publish; starts the post-mortem (201) when the incident has none',
        params: IncidentParams,
        body: PostmortemBody,
        response: { 200: Postmortem, 201: Postmortem },
      },
    },
    async (request, reply) => {
      const { created, postmortem } = await updatePostmortem(
        ctx,
        request.params.id,
        request.body,
        changeOf(request),
      )
      return reply.status(created ? 201 : 200).send(postmortem)
    },
  )

  app.get(
    '/api/incidents/:id/postmortem.md',
    {
      config: { access: 'viewer' },
      schema: { summary: 'The post-mortem as a Markdown file', params: IncidentParams },
    },
    async (request, reply) => {
      const { filename, text } = await exportPostmortem(ctx, request.params.id)
      return reply
        .type('text/markdown; charset=utf-8')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(text)
    },
  )

  app.post(
    '/api/incidents/:id/postmortem/actions',
    {
      config: { access: 'manager' },
      schema: {
        summary: 'Add an action item (owner, due date, state)',
        params: IncidentParams,
        body: ActionBody,
        response: { 201: ActionItem },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createAction(ctx, request.params.id, request.body, changeOf(request))),
  )

  app.patch(
    '/api/incidents/:id/postmortem/actions/:actionId',
    {
      config: { access: 'manager' },
      schema: {
        summary: 'Change an action item: title, owner, due date, state (open, done, dropped)',
        params: ActionParams,
        body: ActionPatch,
        response: { 200: ActionItem },
      },
    },
    (request) =>
      updateAction(ctx, request.params.id, request.params.actionId, request.body, changeOf(request)),
  )

  app.delete(
    '/api/incidents/:id/postmortem/actions/:actionId',
    {
      config: { access: 'manager' },
      schema: {
        summary: 'Delete an action item (a published post-mortem keeps at least one)',
        params: ActionParams,
        response: { 200: Deleted },
      },
    },
    (request) => deleteAction(ctx, request.params.id, request.params.actionId, changeOf(request)),
  )

  app.post(
    '/api/incidents/:id/checklist/:key',
    {
      config: { access: 'operator' },
      schema: {
        summary: "Mark a security incident's data-breach checklist step done or not done, with a note",
        params: StepParams,
        body: StepBody,
        response: { 200: Step },
      },
    },
    (request) =>
      setChecklistStep(ctx, request.params.id, request.params.key, request.body, changeOf(request)),
  )
}
