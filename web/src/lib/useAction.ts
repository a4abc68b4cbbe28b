import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'

/**
 * One change made through the API at a time: `run` calls it, keeps the API's error for display
 * (ActionStatus), sets a notice on success and refetches `keys` either way. It resolves to the
 * call's result, or `undefined` when the call failed.
 */
export function useAction(keys: QueryKey[]) {
  const client = useQueryClient()
  const [notice, setNotice] = useState('')
  const mutation = useMutation({
    mutationFn: (job: { call: () => Promise<unknown>; done: string }) => job.call(),
    onMutate: () => setNotice(''),
    onSuccess: (_result, job) => setNotice(job.done),
    onSettled: () => Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey }))),
  })
  async function run<T>(call: () => Promise<T>, done: string): Promise<T | undefined> {
    try {
      return (await mutation.mutateAsync({ call, done })) as T
    } catch {
      return undefined
    }
  }
  return { run, error: mutation.error, notice, pending: mutation.isPending, reset: mutation.reset }
}

export type Action = ReturnType<typeof useAction>
