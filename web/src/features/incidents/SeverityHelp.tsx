import { ErrorState, Loading } from '../../components/States.tsx'
import { SeverityBadge } from './Badges.tsx'
import { useSeverities } from './hooks.ts'
import { duration } from './show.ts'

/** The severity classification with each level's response time, as the server defines them. */
export function SeverityHelp({ id }: { id?: string }) {
  const severities = useSeverities()
  if (severities.isPending) return <Loading label="Loading the severity definitions…" />
  if (severities.isError) return <ErrorState error={severities.error} retry={() => severities.refetch()} />
  return (
    <details id={id} className="rounded-md border border-stone-200 p-3 text-sm dark:border-stone-700">
      <summary className="cursor-pointer font-medium">Severity definitions and response times</summary>
      <dl className="mt-2 space-y-2">
        {severities.data.map((definition) => (
          <div key={definition.severity}>
            <dt className="flex flex-wrap items-center gap-2">
              <SeverityBadge severity={definition.severity} />
              <span className="font-medium">{definition.name}</span>
              <span className="text-stone-600 dark:text-stone-400">
                acknowledge within {duration(definition.responseMinutes)}
              </span>
            </dt>
            <dd className="ml-1 text-stone-700 dark:text-stone-300">{definition.examples.join('; ')}</dd>
          </div>
        ))}
      </dl>
    </details>
  )
}
