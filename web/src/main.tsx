import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app/App.tsx'
import { initialTheme, showTheme } from './app/theme.ts'
import { reportUncaughtErrors } from './lib/error-report.ts'
import './styles.css'

showTheme(initialTheme())
reportUncaughtErrors()
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
