/**
 * Who may call a route. Every route declares one in `config.access`; registering a route
 * without it throws at start-up, so an unguarded route cannot ship.
 *
 * - `public`: anyone (health checks).
 * - a role: that role or a higher one (viewer < operator < manager < admin).
 */
export const ROLES = ['viewer', 'operator', 'manager', 'admin'] as const
export type UserRole = (typeof ROLES)[number]
export type Access = 'public' | UserRole

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
  }
}

export function isAccess(value: unknown): value is Access {
  return value === 'public' || (ROLES as readonly unknown[]).includes(value)
}
