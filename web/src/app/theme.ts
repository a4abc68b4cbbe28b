import { useSyncExternalStore } from 'react'

export type Theme = 'light' | 'dark'

const KEY = 'sentia.theme'

export function initialTheme(): Theme {
  const stored = localStorage.getItem(KEY)
  if (stored === 'light' || stored === 'dark') return stored
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

/** Shows a theme without choosing it: until the reader picks one, the system's is followed. */
export function showTheme(theme: Theme): void {
  document.documentElement.classList.toggle('dark', theme === 'dark')
}

/** The reader's choice: shown, and kept for the next visit. */
export function applyTheme(theme: Theme): void {
  showTheme(theme)
  localStorage.setItem(KEY, theme)
}

/** Whether the dark theme is on now; re-renders when it changes. */
export function useDarkMode(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const observer = new MutationObserver(onChange)
      observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] })
      return () => observer.disconnect()
    },
    () => document.documentElement.classList.contains('dark'),
  )
}
