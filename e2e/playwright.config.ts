import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { defineConfig } from '@playwright/test'

/**
 * End-to-end tests in Debian's Chromium (never a downloaded browser). Against a running instance
 * when BASE_URL is set, or STAGING_URL with E2E_TARGET=staging (`npm run test:e2e:staging`): then
 * nothing is started and every account, key or record a spec needs is made through the API with
 * the admin given in E2E_ADMIN_EMAIL and E2E_ADMIN_PASSWORD. Otherwise the app is built and
 * started here on a temporary data directory with the demo business and that admin.
 */
const staging = process.env.E2E_TARGET === 'staging'
if (staging && !process.env.STAGING_URL) throw new Error('test:e2e:staging needs STAGING_URL')
if (staging && !(process.env.E2E_ADMIN_EMAIL && process.env.E2E_ADMIN_PASSWORD))
  throw new Error(
    'test:e2e:staging needs E2E_ADMIN_EMAIL and E2E_ADMIN_PASSWORD of an admin on the staging instance (without two-factor sign-in)',
  )
const external = staging ? process.env.STAGING_URL : process.env.BASE_URL
const port = Number(process.env.E2E_PORT ?? 3210)
export const baseURL = external ?? `http://127.0.0.1:${port}`
export const admin = {
  email: process.env.E2E_ADMIN_EMAIL ?? 'e2e-admin@example.com',
  password: process.env.E2E_ADMIN_PASSWORD ?? 'e2e-admin-password-1234',
}
const root = path.join(import.meta.dirname, '..')

export default defineConfig({
  testDir: '.',
  outputDir: path.join(root, 'e2e-results', 'artifacts'),
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['html', { outputFolder: path.join(root, 'e2e-results', 'report'), open: 'never' }]],
  use: {
    baseURL,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: external
    ? undefined
    : {
        command: 'npm run build --silent && node dist/server.mjs serve',
        cwd: root,
        url: `${baseURL}/health/ready`,
        timeout: 240_000,
        reuseExistingServer: false,
        stdout: 'ignore',
        stderr: 'pipe',
        env: {
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sentia-e2e-')),
          DATABASE_URL: '',
          REDIS_URL: '',
          APP_ENV: 'development',
          DEMO_DATA: 'true',
          LOG_LEVEL: 'warn',
          SENTIA_ADMIN_EMAIL: admin.email,
          SENTIA_ADMIN_PASSWORD: admin.password,
          RATE_LIMIT_PER_MINUTE: '100000',
          SIGNIN_RATE_LIMIT_PER_MINUTE: '1000',
          // deployments.spec.ts waits for the regression check's windows: keep them short.
          DEPLOY_REGRESSION_WINDOW_MINUTES: '1',
          DEPLOY_REGRESSION_MIN_REQUESTS: '20',
        },
      },
})
