import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'

/**
 * A real S3 server for tests: s3rver (the S3 API on the file system) on 127.0.0.1 with a free
 * port, its files in a temporary directory and one bucket created. It runs in a child process
 * with OpenSSL's legacy provider, because its ListObjectsV2 continuation tokens are DES-encrypted
 * and Node 17+ refuses DES otherwise. The child logs each request's method and URL, so tests can
 * see what reached the server (a multipart upload's parts, say); it exits when its parent does.
 *
 * It knows one credential, access key id `S3RVER` with secret `S3RVER`: an unknown access key id
 * is refused, but SigV4 signatures are not checked, so a wrong secret goes unnoticed.
 */

export interface S3Fake {
  /** `http://127.0.0.1:PORT`: address it path-style. */
  endpoint: string
  bucket: string
  credentials: { accessKeyId: string; secretAccessKey: string }
  /** Every request received so far, oldest first (see `logged`). */
  requests: { method: string; url: string }[]
  /** Resolves once every request answered so far is in `requests` (the log arrives apart). */
  logged(): Promise<void>
  /** Stops the server and removes its directory. */
  close(): Promise<void>
}

/** The child: starts s3rver, prints `{"port":N}`, then one JSON line per request. */
const childScript = `
const S3rver = require(process.env.S3RVER_MODULE)
const server = new S3rver(JSON.parse(process.env.S3RVER_OPTIONS))
process.stdin.on('end', () => process.exit(0)).resume()
server.run().then((address) => {
  server.httpServer.prependListener('request', (req) =>
    process.stdout.write(JSON.stringify({ method: req.method, url: req.url }) + '\\n'))
  process.stdout.write(JSON.stringify({ port: address.port }) + '\\n')
}, (error) => { console.error(error); process.exit(1) })
`

export async function startS3(options: { bucket?: string } = {}): Promise<S3Fake> {
  const bucket = options.bucket ?? 'sentia-test'
  const directory = mkdtempSync(path.join(tmpdir(), 'sentia-s3-'))
  const serverOptions = {
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  }
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', childScript], {
    env: {
      PATH: process.env.PATH,
      S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver'),
      S3RVER_OPTIONS: JSON.stringify(serverOptions),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const requests: { method: string; url: string }[] = []
  /** Marker requests sent by `logged`, each waiting for its own log line. */
  const markers = new Map<string, () => void>()
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  let port: number
  try {
    port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const message = JSON.parse(line) as { port?: number; method?: string; url?: string }
        const url = message.url ?? ''
        if (message.port !== undefined) resolve(message.port)
        else if (markers.has(url)) markers.get(url)!()
        else requests.push({ method: message.method ?? '', url })
      })
      child.on('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening: ${stderr}`)))
      child.on('error', reject)
    })
  } catch (error) {
    await stop(child)
    rmSync(directory, { recursive: true, force: true })
    throw error
  }
  const endpoint = `http://127.0.0.1:${port}`
  return {
    endpoint,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requests,
    logged: async () => {
      const url = `/sentia-log-marker-${markers.size + 1}`
      const seen = new Promise<void>((resolve) => markers.set(url, resolve))
      await (await fetch(`${endpoint}${url}`)).arrayBuffer()
      await seen
    },
    close: async () => {
      await stop(child)
      rmSync(directory, { recursive: true, force: true })
    },
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}
