// After `npm start` on a fresh DATA_DIR: sign in as the demo admin (password from the one-time
// log line) and check that the API shows a year of demo business. Exit 0 when it does.
import { readFileSync } from 'node:fs'

const [logFile, base] = process.argv.slice(2)
const line = readFileSync(logFile, 'utf8')
  .split('\n')
  .find((l) => l.includes('"demoUsers"'))
if (!line) throw new Error('no demo users in the log')
const admin = JSON.parse(line).demoUsers.find((u) => u.role === 'admin')
const signIn = await fetch(`${base}/api/auth/sign-in/email`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', origin: base },
  body: JSON.stringify({ email: admin.email, password: admin.password }),
})
if (!signIn.ok) throw new Error(`sign-in answered ${signIn.status}`)
const cookie = signIn.headers
  .getSetCookie()
  .map((c) => c.split(';')[0])
  .join('; ')
const overview = await (await fetch(`${base}/api/kpis/overview`, { headers: { cookie } })).json()
const orders = overview.revenue?.last30Days?.orders ?? 0
console.log(`demo admin signed in; last 30 days: ${orders} orders, £${overview.revenue?.last30Days?.revenue}`)
if (orders < 1000) throw new Error('expected a year of demo business')
