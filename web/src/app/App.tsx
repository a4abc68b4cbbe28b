import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { Route, Switch } from 'wouter'
import { ErrorState, Loading } from '../components/States.tsx'
import { SignInPage } from '../features/auth/SignInPage.tsx'
import { InventoryPage } from '../features/inventory/InventoryPage.tsx'
import { OrdersPage } from '../features/orders/OrdersPage.tsx'
import { OverviewPage } from '../features/overview/OverviewPage.tsx'
import { ProductionPage } from '../features/production/ProductionPage.tsx'
import { Layout } from './Layout.tsx'
import { useMe } from './session.ts'

const client = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true, staleTime: 15_000 } },
})

function Gate() {
  const me = useMe()
  if (me.isPending) return <Loading />
  if (me.isError) return <ErrorState error={me.error} retry={() => me.refetch()} />
  if (!me.data) return <SignInPage />
  return (
    <Layout me={me.data}>
      <Switch>
        <Route path="/" component={OverviewPage} />
        <Route path="/orders" component={OrdersPage} />
        <Route path="/orders/:id" component={OrdersPage} />
        <Route path="/inventory" component={InventoryPage} />
        <Route path="/production" component={ProductionPage} />
        <Route>
          <h1 className="text-lg font-semibold">Page not found</h1>
        </Route>
      </Switch>
    </Layout>
  )
}

export function App() {
  return (
    <QueryClientProvider client={client}>
      <Gate />
    </QueryClientProvider>
  )
}
