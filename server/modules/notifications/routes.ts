import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import { createChannel, deleteChannel, listChannels, presentChannel, updateChannel } from './channels.ts'
import { getMessage, listMessages, retryMessage, sendTestMessage } from './messages.ts'
import {
  Channel,
  ChannelBody,
  ChannelList,
  ChannelParams,
  ChannelPatchBody,
  DeletedChannel,
  MessagePage,
  MessageParams,
  Message as MessageSchema,
  MessagesQuery,
  MessageWithHistory,
  Queued,
} from './schemas.ts'
import { channelStats } from './stats.ts'

/** Operators read delivery status (on call, they need to know an alert went out); admins change things. */
export function notificationRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/notifications/channels',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Notification channels with their delivery figures (secrets never shown)',
        response: { 200: ChannelList },
      },
    },
    async () => {
      const [channels, stats] = await Promise.all([listChannels(ctx), channelStats(ctx)])
      return {
        items: channels.map((channel) => {
          const figures = stats.find((s) => s.channel === channel.name)
          return { ...presentChannel(channel), stats: figures ?? null }
        }),
        direct: stats.filter((s) => s.channel.startsWith('direct:')),
      }
    },
  )

  app.post(
    '/api/notifications/channels',
    {
      config: { access: 'admin' },
      schema: { summary: 'Add a notification channel', body: ChannelBody, response: { 201: Channel } },
    },
    async (request, reply) => {
      const channel = await createChannel(
        ctx,
        request.body,
        actorOf(request.principal),
        requestFacts(request),
      )
      return reply.status(201).send(channel)
    },
  )

  app.patch(
    '/api/notifications/channels/:name',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Change a stored channel: destination, secret (null removes it), enabled',
        params: ChannelParams,
        body: ChannelPatchBody,
        response: { 200: Channel },
      },
    },
    (request) =>
      updateChannel(
        ctx,
        request.params.name,
        request.body,
        actorOf(request.principal),
        requestFacts(request),
      ),
  )

  app.delete(
    '/api/notifications/channels/:name',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Delete a stored channel; its undelivered messages become dead letters',
        params: ChannelParams,
        response: { 200: DeletedChannel },
      },
    },
    (request) => deleteChannel(ctx, request.params.name, actorOf(request.principal), requestFacts(request)),
  )

  app.post(
    '/api/notifications/channels/:name/test',
    {
      config: { access: 'admin' },
      schema: {
        summary:
          'Queue a test message to a channel; answers its id (follow it in /api/notifications/messages)',
        params: ChannelParams,
        response: { 202: Queued },
      },
    },
    async (request, reply) => {
      const queued = await sendTestMessage(
        ctx,
        request.params.name,
        actorOf(request.principal),
        requestFacts(request),
      )
      return reply.status(202).send(queued)
    },
  )

  app.get(
    '/api/notifications/messages',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'The outbox, newest first: filter by status and source, page with cursor',
        querystring: MessagesQuery,
        response: { 200: MessagePage },
      },
    },
    (request) => listMessages(ctx, request.query),
  )

  app.get(
    '/api/notifications/messages/:id',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'One message with every delivery attempt',
        params: MessageParams,
        response: { 200: MessageWithHistory },
      },
    },
    (request) => getMessage(ctx, request.params.id),
  )

  app.post(
    '/api/notifications/messages/:id/retry',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Send a dead letter again (attempts start over); audited',
        params: MessageParams,
        response: { 200: MessageSchema },
      },
    },
    (request) => retryMessage(ctx, request.params.id, actorOf(request.principal), requestFacts(request)),
  )
}
