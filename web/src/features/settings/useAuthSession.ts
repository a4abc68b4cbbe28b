import { useQuery } from '@tanstack/react-query'
import { api } from '../../lib/api.ts'

export interface AuthUser {
  id: string
  name: string
  email: string
  twoFactorEnabled?: boolean | null
}

export const AUTH_SESSION_KEY = ['auth-session']

/** The signed-in person's own account, as better-auth has it (`GET /api/auth/get-session`). */
export const useAuthSession = () =>
  useQuery({
    queryKey: AUTH_SESSION_KEY,
    queryFn: () => api<{ user: AuthUser } | null>('/api/auth/get-session'),
  })
