import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { type ComponentType, lazy, Suspense } from 'react'
import { Route, Switch, useRoute } from 'wouter'
import { ErrorState, Loading } from '../components/States.tsx'
import { SignInPage } from '../features/auth/SignInPage.tsx'
import { OverviewPage } from '../features/overview/OverviewPage.tsx'
import { ErrorBoundary } from './ErrorBoundary.tsx'
import { Layout } from './Layout.tsx'
import { useMe } from './session.ts'

/** A page loaded when first opened: the first screen (sign-in, overview) carries only its own code. */
function later<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(() => load().then((module) => ({ default: module[name] })))
}
const AcceptInvitationPage = later(
  () => import('../features/auth/AcceptInvitationPage.tsx'),
  'AcceptInvitationPage',
)
const OrdersPage = later(() => import('../features/orders/OrdersPage.tsx'), 'OrdersPage')
const InventoryPage = later(() => import('../features/inventory/InventoryPage.tsx'), 'InventoryPage')
const ProductionPage = later(() => import('../features/production/ProductionPage.tsx'), 'ProductionPage')
const ForecastingPage = later(() => import('../features/forecasting/ForecastingPage.tsx'), 'ForecastingPage')
const WorkingCapitalPage = later(
  () => import('../features/working-capital/WorkingCapitalPage.tsx'),
  'WorkingCapitalPage',
)
const AdminPage = later(() => import('../features/admin/AdminPage.tsx'), 'AdminPage')
const SettingsPage = later(() => import('../features/settings/SettingsPage.tsx'), 'SettingsPage')
const OpsPage = later(() => import('../features/ops/OpsPage.tsx'), 'OpsPage')
const IncidentsPage = later(() => import('../features/incidents/IncidentsPage.tsx'), 'IncidentsPage')
const IncidentPage = later(() => import('../features/incidents/IncidentPage.tsx'), 'IncidentPage')

const client = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true, staleTime: 15_000 } },
})

function Gate() {
  const me = useMe()
  // Invited people have no account yet: their page comes before the sign-in gate.
  const [accepting] = useRoute('/accept-invitation')
  if (accepting)
    return (
      <Suspense fallback={<Loading />}>
        <AcceptInvitationPage />
      </Suspense>
    )
  if (me.isPending) return <Loading />
  if (me.isError) return <ErrorState error={me.error} retry={() => me.refetch()} />
  if (!me.data) return <SignInPage />
  return (
    <Layout me={me.data}>
      <Suspense fallback={<Loading />}>
        <Switch>
          <Route path="/" component={OverviewPage} />
          <Route path="/orders" component={OrdersPage} />
          <Route path="/orders/:id" component={OrdersPage} />
          <Route path="/inventory" component={InventoryPage} />
          <Route path="/production" component={ProductionPage} />
          <Route path="/forecasting" component={ForecastingPage} />
          <Route path="/working-capital" component={WorkingCapitalPage} />
          <Route path="/ops" component={OpsPage} />
          <Route path="/ops/alerts/:id" component={OpsPage} />
          <Route path="/incidents" component={IncidentsPage} />
          <Route path="/incidents/:id" component={IncidentPage} />
          <Route path="/admin/:tab?" component={AdminPage} />
          <Route path="/settings" component={SettingsPage} />
          <Route>
            <h1 className="text-lg font-semibold">Page not found</h1>
          </Route>
        </Switch>
      </Suspense>
    </Layout>
  )
}

export function App() {
  return (
    <QueryClientProvider client={client}>
      <ErrorBoundary>
        <Gate />
      </ErrorBoundary>
    </QueryClientProvider>
  )
}
