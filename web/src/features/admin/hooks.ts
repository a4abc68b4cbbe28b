import { useQuery } from '@tanstack/react-query'
import { api } from '../../lib/api.ts'
import { dateTime } from '../../lib/format.ts'
import type { ApiKey, Invitation, IpBlock, User } from './types.ts'

/** Every admin query's key starts with 'admin', so a change can refresh them all. */
export const ADMIN_KEY = ['admin']

export const useUsers = () =>
  useQuery({ queryKey: ['admin', 'users'], queryFn: () => api<{ items: User[] }>('/api/users') })

export const useInvitations = () =>
  useQuery({
    queryKey: ['admin', 'invitations'],
    queryFn: () => api<{ items: Invitation[] }>('/api/users/invitations'),
  })

export const useApiKeys = (includeInactive: boolean) =>
  useQuery({
    queryKey: ['admin', 'api-keys', includeInactive],
    queryFn: () => api<{ items: ApiKey[] }>(`/api/api-keys?includeInactive=${includeInactive}`),
  })

export const useIpBlocks = (includeInactive: boolean) =>
  useQuery({
    queryKey: ['admin', 'ip-blocks', includeInactive],
    queryFn: () => api<{ items: IpBlock[] }>(`/api/security/ip-blocks?includeInactive=${includeInactive}`),
  })

/** A timestamp in the reader's zone, or `none` when there is none. */
export const maybeDate = (iso: string | null, none = '—') => (iso ? dateTime(iso) : none)

/**
 * Who did something, for display: the server labels actors `type:id` (`user:<id>`), shown as the
 * person's email when the users list knows the id, else as given.
 */
export function useWho(): (label: string | null) => string {
  const users = useUsers()
  const emails = new Map((users.data?.items ?? []).map((u) => [u.id, u.email]))
  return (label) => {
    if (!label) return '—'
    const id = /^user:(.+)$/.exec(label)?.[1]
    return (id && emails.get(id)) || label
  }
}
