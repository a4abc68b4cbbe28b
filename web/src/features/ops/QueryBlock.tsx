import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { Empty, ErrorState, Loading } from '../../components/States.tsx'

/** A query's loading, error and empty states, else its content (for the sub-parts of a section). */
export function QueryBlock<T>(props: {
  query: UseQueryResult<T>
  isEmpty: (data: T) => boolean
  empty: ReactNode
  loading?: string
  children: (data: T) => ReactNode
}) {
  const { query } = props
  if (query.isPending) return <Loading label={props.loading} />
  if (query.isError) return <ErrorState error={query.error} retry={() => query.refetch()} />
  if (props.isEmpty(query.data)) return <Empty>{props.empty}</Empty>
  return <>{props.children(query.data)}</>
}

/** A section of the page with its h2 title. */
export function OpsSection(props: { id: string; title: string; description?: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${props.id}-title`} className="space-y-3">
      <h2 id={`${props.id}-title`} className="text-lg font-semibold">
        {props.title}
      </h2>
      {props.description && <p className="text-sm text-stone-600 dark:text-stone-400">{props.description}</p>}
      {props.children}
    </section>
  )
}

export const subheading = 'text-base font-semibold text-stone-800 dark:text-stone-200'
