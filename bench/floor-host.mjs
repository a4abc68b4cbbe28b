/**
 * `npm run bench:http -- --floor`: a bare Fastify "hello world" (the same as the bench's
 * baseline) on BENCH_FLOOR_PORT, then the app itself, in one process. The hello world does none
 * of the app's work, so its cost is the floor any of the app's routes starts from: what a
 * request costs in the app's process (its heap, its timers, its compiled code) before the app
 * does anything for it.
 *
 *   node [the app's node flags] bench/floor-host.mjs dist/server.mjs serve
 */
import { pathToFileURL } from 'node:url'
import Fastify from 'fastify'

const server = Fastify({ logger: false })
server.get('/', async () => ({ hello: 'world' }))
await server.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_FLOOR_PORT) })

const [entry, ...rest] = process.argv.slice(2)
if (!entry) throw new Error('usage: floor-host.mjs <app entry> [args]')
process.argv = [process.argv[0] ?? 'node', entry, ...rest]
await import(pathToFileURL(entry).href)
