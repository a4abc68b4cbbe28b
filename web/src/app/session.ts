import { useQuery, useQueryClient } from '@tanstack/react-query'
import { ApiError, api } from '../lib/api.ts'

export type Role = 'viewer' | 'operator' | 'manager' | 'admin'

export interface Me {
  kind: string
  id: string
  role: Role
  label: string
  restriction?: string
}

/** Who is signed in; `null` when nobody is (the server answered 401). */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await api<Me>('/api/me')
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null
        throw error
      }
    },
    staleTime: 60_000,
  })
}

export function useSignOut() {
  const client = useQueryClient()
  return async () => {
    await api('/api/auth/sign-out', { method: 'POST', body: {} }).catch(() => {})
    // Nothing of the signed-in view may outlive the session.
    client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' })
    client.setQueryData(['me'], null)
  }
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, manager: 2, admin: 3 }
export const atLeast = (me: Me, role: Role) => RANK[me.role] >= RANK[role]
