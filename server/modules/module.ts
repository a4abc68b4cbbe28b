import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Role } from '../config.ts'
import type { AppContext } from '../context.ts'
import type { PrincipalResolver } from '../platform/http/principal.ts'
import type { JobDefinition } from '../platform/jobs/jobs.ts'

/** A feature module: what it adds to the HTTP app, the job queue and the process lifecycle. */
export interface Module {
  name: string
  /** Roles whose HTTP server serves this module's routes (default: all and api). */
  httpRoles?: Role[]
  /** App-wide hooks, installed before authentication (for every role that serves HTTP). */
  install?(app: FastifyInstance, ctx: AppContext): void
  /** Called for every response from the app's one `onResponse` hook (cheaper than a hook each). */
  observeResponse?(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): void
  routes?(app: FastifyInstance, ctx: AppContext): Promise<void> | void
  // biome-ignore lint/suspicious/noExplicitAny: each job carries its own payload type
  jobs?: JobDefinition<any>[]
  /** A way to recognise the caller of a request (API key, session). */
  authenticate?(ctx: AppContext): PrincipalResolver
  start?(ctx: AppContext): Promise<void>
  stop?(ctx: AppContext): Promise<void>
}
