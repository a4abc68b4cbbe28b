/**
 * Who may call a route. Every route declares one in `config.access`; registering a route
 * without it throws at start-up, so an unguarded route cannot ship.
 *
 * - `public`: anyone (health checks).
 * - `metrics-scraper`: `Authorization: Bearer $METRICS_TOKEN` when set, else loopback peers only.
 * - a role: that role or a higher one (viewer < operator < manager < admin).
 */
export const ROLES = ['viewer', 'operator', 'manager', 'admin'] as const
export type UserRole = (typeof ROLES)[number]

export function isRole(value: unknown): value is UserRole {
  return (ROLES as readonly unknown[]).includes(value)
}
export type Access = 'public' | 'metrics-scraper' | UserRole

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
  }
}

export function isAccess(value: unknown): value is Access {
  return value === 'public' || value === 'metrics-scraper' || (ROLES as readonly unknown[]).includes(value)
}
