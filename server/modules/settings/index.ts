import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import type { Module } from '../module.ts'
import { getSettings, updateSettings, watchSettings } from './service.ts'

const SettingsSchema = Type.Object({ requireTwoFactorForAdmins: Type.Boolean() })
const unwatch = new WeakMap<AppContext, () => void>()

export const settingsModule: Module = {
  name: 'settings',
  routes(fastify, ctx) {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
    app.get(
      '/api/admin/settings',
      {
        config: { access: 'admin' },
        schema: { summary: 'Run-time settings', response: { 200: SettingsSchema } },
      },
      () => getSettings(ctx),
    )
    app.put(
      '/api/admin/settings',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'Change run-time settings (audited, applied on every replica)',
          body: Type.Partial(SettingsSchema, { additionalProperties: false, minProperties: 1 }),
          response: { 200: SettingsSchema },
        },
      },
      (request) => updateSettings(ctx, request.body, actorOf(request.principal), requestFacts(request)),
    )
  },
  async start(ctx) {
    unwatch.set(ctx, watchSettings(ctx))
  },
  async stop(ctx) {
    unwatch.get(ctx)?.()
  },
}
