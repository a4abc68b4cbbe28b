import { type KeyboardEvent, useRef } from 'react'
import { Link, useLocation, useRoute } from 'wouter'
import { atLeast, type Me, useMe } from '../../app/session.ts'
import { ApiKeysPanel } from './ApiKeysPanel.tsx'
import { AuditPanel } from './AuditPanel.tsx'
import { BlocklistPanel } from './BlocklistPanel.tsx'
import { UsersPanel } from './UsersPanel.tsx'

const TABS = [
  { id: 'users', label: 'Users', Panel: UsersPanel },
  { id: 'api-keys', label: 'API keys', Panel: ApiKeysPanel },
  { id: 'audit-log', label: 'Audit log', Panel: AuditPanel },
  { id: 'ip-blocklist', label: 'IP blocklist', Panel: BlocklistPanel },
]

/** /admin and /admin/<section>: admins only; anyone else is told so and sees none of it. */
export function AdminPage() {
  const me = useMe().data
  if (!me || !atLeast(me, 'admin')) return <NoAccess me={me ?? null} />
  return <AdminTabs />
}

function NoAccess({ me }: { me: Me | null }) {
  return (
    <div className="max-w-xl space-y-2">
      <h1 className="text-2xl font-semibold">You don't have access</h1>
      <p className="text-sm text-stone-700 dark:text-stone-300">
        The admin pages are for admins
        {me ? `; you are signed in as ${me.label} with the ${me.role} role` : ''}. Ask an admin if you need
        more.
      </p>
      {me?.restriction && (
        <p className="text-sm text-stone-700 dark:text-stone-300">
          {me.restriction}:{' '}
          <Link href="/settings" className="font-medium text-amber-800 underline dark:text-amber-300">
            turn it on in Settings
          </Link>
          .
        </p>
      )}
    </div>
  )
}

/** Tabs as the WAI-ARIA pattern has them (arrow keys, Home, End); each section has its own URL. */
function AdminTabs() {
  const [, params] = useRoute('/admin/:tab')
  const [, navigate] = useLocation()
  const buttons = useRef<(HTMLButtonElement | null)[]>([])
  const index = Math.max(
    0,
    TABS.findIndex((tab) => tab.id === params?.tab),
  )
  const current = TABS[index]!

  function onKeyDown(event: KeyboardEvent) {
    const moves: Record<string, number> = {
      ArrowRight: (index + 1) % TABS.length,
      ArrowLeft: (index - 1 + TABS.length) % TABS.length,
      Home: 0,
      End: TABS.length - 1,
    }
    const next = moves[event.key]
    if (next === undefined) return
    event.preventDefault()
    navigate(`/admin/${TABS[next]!.id}`)
    buttons.current[next]?.focus()
  }

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Admin</h1>
      <div
        role="tablist"
        aria-label="Admin sections"
        className="flex flex-wrap gap-1 border-b border-stone-200 dark:border-stone-800"
      >
        {TABS.map((tab, i) => (
          <button
            key={tab.id}
            ref={(element) => {
              buttons.current[i] = element
            }}
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            aria-selected={i === index}
            aria-controls={`panel-${tab.id}`}
            tabIndex={i === index ? 0 : -1}
            onClick={() => navigate(`/admin/${tab.id}`)}
            onKeyDown={onKeyDown}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${
              i === index
                ? 'border-amber-700 text-amber-900 dark:border-amber-400 dark:text-amber-100'
                : 'border-transparent text-stone-700 hover:text-stone-900 dark:text-stone-300 dark:hover:text-stone-100'
            }`}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${current.id}`} aria-labelledby={`tab-${current.id}`}>
        <current.Panel />
      </div>
    </div>
  )
}
