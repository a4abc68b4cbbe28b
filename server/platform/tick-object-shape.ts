import { executionAsyncResource } from 'node:async_hooks'

let held: object | undefined

/**
 * Keeps one of Node's `process.nextTick` records alive for the life of the process, so that V8
 * never drops the hidden classes ("maps") every such record shares.
 *
 * Why: `nextTick` builds each record as an object literal with two computed symbol keys. When a
 * full garbage collection finds no record alive (between two bursts of requests, say), V8 frees
 * those maps; the next record gets new ones, and the literal's inline cache, having seen two maps
 * at the same place, turns megamorphic for good. From then on every `nextTick` (about seven per
 * HTTP request) defines its keys through a runtime call that builds and migrates maps. A bare
 * Fastify server runs few full collections and only sometimes gets there; this app's larger heap
 * collects often, so sooner or later it did, at a cost of about a fifth of the instructions of a
 * `/health/live` request. Measured in bench/README.md (the eighteenth and nineteenth sessions'
 * results); bench/http.ts holds a record in its bare Fastify baseline too.
 *
 * The record is the async resource of the tick this schedules: Node hands it out through
 * `executionAsyncResource()` without any async hook being enabled.
 */
export function holdTickObjectShape(): Promise<object> {
  return new Promise((resolve) => {
    process.nextTick(() => {
      held ??= executionAsyncResource()
      resolve(held)
    })
  })
}
