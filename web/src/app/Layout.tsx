import { type ReactNode, useState } from 'react'
import { Link, useRoute } from 'wouter'
import { MaintenanceBanner } from '../features/maintenance/MaintenanceBanner.tsx'
import { atLeast, type Me, type Role, useSignOut } from './session.ts'
import { applyTheme, initialTheme, type Theme } from './theme.ts'

/** The main navigation; an entry with a role shows only to that role and above. */
const PAGES: { href: string; label: string; role?: Role }[] = [
  { href: '/', label: 'Overview' },
  { href: '/orders', label: 'Orders' },
  { href: '/inventory', label: 'Inventory' },
  { href: '/production', label: 'Production' },
  { href: '/forecasting', label: 'Forecasting' },
  { href: '/working-capital', label: 'Working capital' },
  { href: '/ops', label: 'Ops' },
  { href: '/incidents', label: 'Incidents' },
  { href: '/admin', label: 'Admin', role: 'admin' },
  { href: '/settings', label: 'Settings' },
]

function NavLink({ href, label }: { href: string; label: string }) {
  const [active] = useRoute(href === '/' ? '/' : `${href}/*?`)
  return (
    <Link
      href={href}
      aria-current={active ? 'page' : undefined}
      className={`rounded-md px-3 py-2 text-sm font-medium ${
        active
          ? 'bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-100'
          : 'text-stone-700 hover:bg-stone-100 dark:text-stone-300 dark:hover:bg-stone-800'
      }`}
    >
      {label}
    </Link>
  )
}

export function Layout({ me, children }: { me: Me; children: ReactNode }) {
  const [theme, setTheme] = useState<Theme>(initialTheme)
  const signOut = useSignOut()
  const toggle = () => {
    const next = theme === 'dark' ? 'light' : 'dark'
    applyTheme(next)
    setTheme(next)
  }
  return (
    <div className="min-h-screen bg-stone-50 text-stone-900 dark:bg-stone-950 dark:text-stone-100">
      <header className="border-b border-stone-200 bg-white dark:border-stone-800 dark:bg-stone-900">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-2 px-4 py-2">
          <span className="mr-4 font-semibold text-amber-800 dark:text-amber-300">Sentia</span>
          <nav aria-label="Main" className="flex flex-1 flex-wrap gap-1">
            {PAGES.filter((page) => !page.role || atLeast(me, page.role)).map((page) => (
              <NavLink key={page.href} href={page.href} label={page.label} />
            ))}
          </nav>
          <button
            type="button"
            onClick={toggle}
            className="rounded-md px-3 py-2 text-sm text-stone-700 hover:bg-stone-100 dark:text-stone-300 dark:hover:bg-stone-800"
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
          >
            {theme === 'dark' ? 'Light' : 'Dark'}
          </button>
          <span className="text-sm text-stone-600 dark:text-stone-400">
            {me.label} · {me.role}
          </span>
          <button
            type="button"
            onClick={signOut}
            className="rounded-md px-3 py-2 text-sm font-medium text-stone-700 hover:bg-stone-100 dark:text-stone-300 dark:hover:bg-stone-800"
          >
            Sign out
          </button>
        </div>
      </header>
      <MaintenanceBanner />
      {me.restriction && (
        <p
          role="alert"
          className="bg-amber-100 px-4 py-2 text-sm text-amber-900 dark:bg-amber-900/40 dark:text-amber-100"
        >
          {me.restriction}
        </p>
      )}
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  )
}
