import { Component, type ReactNode } from 'react'
import { ErrorState } from '../components/States.tsx'
import { reportError } from '../lib/error-report.ts'

/** A render error shows the error state (with a retry) instead of a blank page, and is reported. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null }

  static getDerivedStateFromError(error: unknown) {
    return { error }
  }

  override componentDidCatch(error: unknown) {
    reportError(error)
  }

  override render() {
    if (this.state.error)
      return <ErrorState error={this.state.error} retry={() => this.setState({ error: null })} />
    return this.props.children
  }
}
