import type { FastifyReply, FastifyRequest } from 'fastify'
import type { UserRole } from './access.ts'

/** Who is making a request, once authenticated. */
export type Principal =
  | {
      kind: 'user'
      id: string
      role: UserRole
      label: string
      sessionId: string
      /** Why the effective role is lower than the account's (e.g. two-factor required). */
      restriction?: string
    }
  | { kind: 'apikey'; id: string; role: UserRole; label: string }

/**
 * Finds the principal of a request from one kind of credential. Returns null when the request
 * carries no such credential, and throws `unauthorized` when it carries a bad one.
 */
export type PrincipalResolver = (request: FastifyRequest, reply: FastifyReply) => Promise<Principal | null>

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
  }
}

/** Who did something, as the audit log records it. */
export type Actor = { type: 'user' | 'apikey'; id: string } | { type: 'system'; id: string | null }

export function actorOf(principal: Principal | null): Actor {
  if (!principal) return { type: 'system', id: null }
  return { type: principal.kind, id: principal.id }
}

/** An actor as one string for `created_by`-style columns: `user:<id>`, `apikey:<id>`, `system`. */
export function actorLabel(actor: Actor): string {
  return actor.id ? `${actor.type}:${actor.id}` : actor.type
}

/** The request facts every audit entry carries. */
export interface RequestFacts {
  ip: string | null
  userAgent: string | null
  requestId: string | null
}

export function requestFacts(request: FastifyRequest): RequestFacts {
  const agent = request.headers['user-agent']
  return { ip: request.ip ?? null, userAgent: agent ? agent.slice(0, 500) : null, requestId: request.id }
}

/** Who changed something and from which request, for the audit entry. */
export interface Change {
  actor: Actor
  request?: RequestFacts
}

/** The change a request makes: its caller and its facts. */
export function changeOf(request: FastifyRequest): Change {
  return { actor: actorOf(request.principal), request: requestFacts(request) }
}
