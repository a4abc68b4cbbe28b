import { randomBytes } from 'node:crypto'
import { ConfigError } from '../../config.ts'
import type { AppContext } from '../../context.ts'
import { ROLES } from '../../platform/http/access.ts'
import { MIN_SECRET_LENGTH, sessionSecrets } from './secrets.ts'
import { createUser } from './users.ts'

/**
 * At start: refuse insecure production settings, create the first admin from
 * SENTIA_ADMIN_EMAIL/SENTIA_ADMIN_PASSWORD, and on a new development database create one demo
 * user per role, printing their generated passwords once.
 */
export async function bootstrapUsers(ctx: AppContext): Promise<void> {
  if (ctx.config.env === 'production') await refuseInsecureProduction(ctx)
  const system = { type: 'system' as const, id: 'bootstrap' }
  const admin = ctx.config.auth.admin
  if (admin) {
    const exists = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', admin.email)
      .executeTakeFirst()
    if (!exists) {
      await createUser(
        ctx,
        { email: admin.email, name: 'Administrator', role: 'admin', password: admin.password },
        system,
      )
      ctx.logger.info({ email: admin.email }, 'created the first admin from SENTIA_ADMIN_EMAIL')
    }
  }
  if (await wantsDemoUsers(ctx)) {
    const accounts = []
    for (const role of ROLES) {
      const password = randomBytes(12).toString('base64url')
      const user = await createUser(
        ctx,
        { email: `${role}@demo.sentia.local`, name: `Demo ${role}`, role, password, demo: true },
        system,
      )
      accounts.push({ email: user.email, role, password })
    }
    // Printed once, on the first start only: these accounts exist for trying the app out.
    ctx.logger.info(
      { demoUsers: accounts },
      'created demo users (development only); their passwords are shown this once',
    )
  }
}

async function wantsDemoUsers(ctx: AppContext): Promise<boolean> {
  if (ctx.config.env === 'production' || ctx.config.demoData === 'false') return false
  const count = await ctx.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  if (Number(count.n) > 0 && ctx.config.demoData === 'auto') return false
  if (ctx.config.demoData === 'true') {
    const demo = await ctx.db.selectFrom('users').select('id').where('demo', '=', true).executeTakeFirst()
    return !demo
  }
  return ctx.config.env === 'development' && ctx.database.engine === 'pglite'
}

async function refuseInsecureProduction(ctx: AppContext): Promise<void> {
  const secrets = sessionSecrets(ctx.config)
  if (secrets.length === 0) throw new ConfigError('SESSION_SECRETS', 'is required in production')
  if (secrets.some((secret) => secret.length < MIN_SECRET_LENGTH || new Set(secret).size < 10)) {
    throw new ConfigError(
      'SESSION_SECRETS',
      `each secret must be at least ${MIN_SECRET_LENGTH} random characters in production`,
    )
  }
  const demo = await ctx.db.selectFrom('users').select('email').where('demo', '=', true).execute()
  if (demo.length > 0) {
    throw new ConfigError(
      'APP_ENV',
      `production refuses to start while demo users exist (${demo.map((u) => u.email).join(', ')}); delete them first`,
    )
  }
}
