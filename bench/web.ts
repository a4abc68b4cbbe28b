/**
 * Front-end budgets: the initial JavaScript of the built web app (gzip), and how long the
 * overview takes to be fully rendered after navigation, in headless Chromium (Debian's, never a
 * downloaded one) against the app as `npm start` runs it, on the embedded engine with the
 * default demo data. Loopback only; stops by itself and removes its temporary data directory.
 *
 *   npx tsx bench/web.ts [--rounds N] [--json]
 *
 *   --rounds <n>  page loads measured, each cold (a new browser context) and then warm (default 7)
 *   --json        print the result as JSON
 *
 * "Fully rendered": the Overview heading is shown, no section is loading any more, the KPI cards
 * and the revenue chart are drawn. The time is the page's own clock from navigation start.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { chromium } from '@playwright/test'
import { appCommand, gitState, median, ROOT, runBench, spawnApp } from './lib.ts'

const GOALS = { initialJsGzipKb: 200, overviewMs: 1500 }
const BUDGET_MS = 10 * 60_000
const ADMIN = { email: 'bench-web@example.com', password: 'bench-web-password-1234' }

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
})
const log = (message: string) => {
  if (!args.json) console.error(message)
}

/** The scripts index.html loads at once (its module entry and what it preloads), gzipped. */
function initialJs(webDir: string): {
  files: { file: string; kb: number; gzipKb: number }[]
  gzipKb: number
} {
  const html = readFileSync(path.join(webDir, 'index.html'), 'utf8')
  const refs = [
    ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
  ].map((match) => match[1]!)
  const kb = (bytes: number) => Math.round(bytes / 102.4) / 10
  const files = [...new Set(refs)].map((ref) => {
    const body = readFileSync(path.join(webDir, ref.replace(/^\//, '')))
    return { file: ref, kb: kb(body.length), gzipKb: kb(gzipSync(body, { level: 9 }).length) }
  })
  return { files, gzipKb: Math.round(files.reduce((sum, f) => sum + f.gzipKb, 0) * 10) / 10 }
}

function startApp(command: string[], dataDir: string) {
  return spawnApp(
    command,
    {
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      REDIS_URL: '',
      APP_ENV: 'development',
      DEMO_DATA: 'true',
      LOG_LEVEL: 'warn',
      SENTIA_ADMIN_EMAIL: ADMIN.email,
      SENTIA_ADMIN_PASSWORD: ADMIN.password,
      // Every round signs in anew; more than 10 rounds a minute would meet the sign-in limit.
      SIGNIN_RATE_LIMIT_PER_MINUTE: '1000',
    },
    5 * 60_000,
  )
}

/** The DOM as the page check below uses it (this file is type-checked without the DOM's types). */
interface PageDocument {
  querySelector(selector: string): { textContent: string | null } | null
  querySelectorAll(selector: string): { length: number }
}

/** Runs in the page: the overview is fully rendered. */
function rendered(): boolean {
  const document = (globalThis as unknown as { document: PageDocument }).document
  return (
    document.querySelector('h1')?.textContent === 'Overview' &&
    document.querySelector('[data-loading]') === null &&
    document.querySelectorAll('main section').length > 0 &&
    document.querySelector('.uplot canvas') !== null
  )
}

/** Runs in the page: the revenue chart shows a year of hourly data. */
function yearDrawn(): boolean {
  const document = (globalThis as unknown as { document: PageDocument }).document
  return (
    document.querySelector('[data-loading]') === null &&
    document.querySelector('[aria-label="Revenue by channel, hourly, 365 days"] canvas') !== null
  )
}

/**
 * Milliseconds from choosing "Hourly, 365 days" until the chart is drawn again: the request
 * (about 8,760 hours × every channel), turning it into columns, and uPlot drawing them.
 */
async function yearChartMs(page: import('@playwright/test').Page): Promise<number> {
  const started = await page.evaluate(() => performance.now())
  await page.getByRole('combobox', { name: 'Period' }).selectOption('year')
  await page.waitForFunction(yearDrawn, undefined, { polling: 'raf', timeout: 60_000 })
  return Math.round((await page.evaluate(() => performance.now())) - started)
}

/** Milliseconds from navigation start until the overview is fully rendered, by the page's clock. */
async function overviewMs(page: import('@playwright/test').Page, base: string): Promise<number> {
  await page.goto(`${base}/`, { waitUntil: 'commit' })
  await page.waitForFunction(rendered, undefined, { polling: 'raf', timeout: 30_000 })
  return page.evaluate(() => Math.round(performance.now()))
}

async function main(): Promise<number> {
  const command = appCommand(false) // builds the server and the web app, as npm start does
  const js = initialJs(path.join(ROOT, 'dist', 'web'))
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sentia-bench-web-'))
  log('starting the app with the demo business (the first start loads it)…')
  const app = await startApp(command, dataDir)
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  })
  try {
    const rounds = Number(args.rounds)
    let yearChartMsAfterChoosing: number | undefined
    const cold: number[] = []
    const warm: number[] = []
    for (let round = 0; round < rounds; round++) {
      const context = await browser.newContext({ baseURL: app.base, locale: 'en-GB' })
      const signIn = await context.request.post('/api/auth/sign-in/email', {
        headers: { origin: app.base },
        data: ADMIN,
      })
      if (!signIn.ok()) throw new Error(`sign-in failed: HTTP ${signIn.status()}`)
      const page = await context.newPage()
      cold.push(await overviewMs(page, app.base))
      warm.push(await overviewMs(page, app.base))
      if (round === rounds - 1) yearChartMsAfterChoosing = await yearChartMs(page)
      await context.close()
      log(`round ${round + 1}: cold ${cold.at(-1)} ms, warm ${warm.at(-1)} ms`)
    }
    const overview = {
      coldMedianMs: median(cold),
      coldMaxMs: Math.max(...cold),
      warmMedianMs: median(warm),
      cold,
      warm,
    }
    const goals = [
      {
        goal: `initial JavaScript ≤ ${GOALS.initialJsGzipKb} KB gzip`,
        measured: `${js.gzipKb} KB`,
        met: js.gzipKb <= GOALS.initialJsGzipKb,
      },
      {
        goal: `overview fully rendered ≤ ${GOALS.overviewMs} ms after navigation (median of cold loads)`,
        measured: `${overview.coldMedianMs} ms (max ${overview.coldMaxMs} ms)`,
        met: overview.coldMedianMs <= GOALS.overviewMs,
      },
    ]
    const report = {
      date: new Date().toISOString(),
      app: gitState(),
      initialJs: js,
      overview,
      yearChartMsAfterChoosing,
      goals,
    }
    if (args.json) console.log(JSON.stringify(report, null, 2))
    else {
      for (const file of js.files) console.log(`${file.file}: ${file.kb} KB, ${file.gzipKb} KB gzip`)
      console.log(`overview: cold ${cold.join(', ')} ms; warm ${warm.join(', ')} ms`)
      console.log(`revenue chart, a year of hours: drawn ${yearChartMsAfterChoosing} ms after choosing it`)
      for (const goal of goals) console.log(`${goal.met ? 'MET ' : 'MISS'}  ${goal.goal}: ${goal.measured}`)
    }
    return 0
  } finally {
    await browser.close()
    await app.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (args.help) console.log(readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0])
else runBench(main, BUDGET_MS)
