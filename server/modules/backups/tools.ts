import { spawn } from 'node:child_process'
import { AppError } from '../../platform/http/errors.ts'

/** Running the PostgreSQL client tools (pg_dump, pg_restore) without putting a password on a command line. */

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs `tool`; a missing binary is a clear 503 naming it. `onLine` gets each stderr line as it comes. */
export function run(
  tool: string,
  args: string[],
  options: { env?: Record<string, string>; onLine?: (line: string) => void } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    let err = ''
    let pending = ''
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      err += text
      if (err.length > 64_000) err = err.slice(-32_000)
      pending += text
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) options.onLine?.(line)
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(toolMissing(tool))
      else reject(error)
    })
    child.on('close', (code) => {
      if (pending) options.onLine?.(pending)
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: err })
    })
  })
}

export const toolMissing = (tool: string) =>
  new AppError(
    503,
    'BACKUP_TOOL_MISSING',
    `${tool} was not found on PATH: install the PostgreSQL client tools (the same major version as the server or newer)`,
  )

/** The major version of a client tool (`pg_dump (PostgreSQL) 15.20` → 15). */
export async function toolMajor(tool: string): Promise<{ major: number; version: string }> {
  const result = await run(tool, ['--version'])
  const match = /(\d+)(?:\.(\d+))?/.exec(result.stdout)
  if (result.code !== 0 || !match) throw new AppError(503, 'BACKUP_TOOL_MISSING', `${tool} --version failed`)
  return { major: Number(match[1]), version: match[0] }
}

/** Fails with a clear 503 when pg_dump is older than the server (`server_version_num`, e.g. 150020). */
export function checkDumpVersion(dump: { major: number; version: string }, serverVersionNum: number): void {
  const serverMajor = Math.floor(serverVersionNum / 10000)
  if (dump.major < serverMajor) {
    const server = `${serverMajor}.${serverVersionNum % 10000}`
    throw new AppError(
      503,
      'BACKUP_TOOL_TOO_OLD',
      `pg_dump ${dump.version} is older than the PostgreSQL server ${server}: install pg_dump ${serverMajor} or newer`,
    )
  }
}

/** libpq environment for a connection URL (host, port, user, password, sslmode); the database goes on `-d`. */
export function libpqEnv(url: string): Record<string, string> {
  const parsed = new URL(url)
  const env: Record<string, string> = { PGCONNECT_TIMEOUT: '10' }
  const host = decodeURIComponent(parsed.hostname).replace(/^\[|\]$/g, '') || parsed.searchParams.get('host')
  if (host) env.PGHOST = host
  if (parsed.port) env.PGPORT = parsed.port
  if (parsed.username) env.PGUSER = decodeURIComponent(parsed.username)
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password)
  const sslmode = parsed.searchParams.get('sslmode')
  if (sslmode) env.PGSSLMODE = sslmode
  env.PGAPPNAME = 'sentia-backup'
  return env
}

/** The database name of a connection URL. */
export const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1))

/** A URL safe to print: no user or password (`postgres://host:5432/name`). */
export function describeUrl(url: string): string {
  const parsed = new URL(url)
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
}

/** Removes secret values (and any password in a URL) from a message before it is stored or printed. */
export function scrub(message: string, secrets: string[]): string {
  let text = message.replace(/(postgres(?:ql)?:\/\/[^:@/\s]*:)[^@\s]*@/g, '$1[redacted]@')
  for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join('[redacted]')
  return text
}
