import { describe, expect, it } from 'vitest'
import {
  fingerprint,
  fingerprintParts,
  normalizeFile,
  normalizeMessage,
  parseFrames,
  stripContentHash,
} from './fingerprint.ts'

const ROOT = '/srv/sentia'

/** A server stack: two frames of ours above Fastify's, installed under `modules`. */
function serverStack(modules: string, line = 41): string {
  return [
    'TypeError: Cannot read properties of undefined (reading "sku")',
    `    at priceLine (${ROOT}/server/modules/orders/pricing.ts:${line}:17)`,
    `    at async Object.<anonymous> (${ROOT}/server/modules/orders/routes.ts:88:${line})`,
    `    at preHandlerCallback (${modules}/fastify/lib/handleRequest.js:140:37)`,
    '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  ].join('\n')
}

describe('frames', () => {
  it('makes paths relative to the package root and drops file URLs and query strings', () => {
    expect(normalizeFile(`${ROOT}/server/app.ts`, ROOT)).toBe('server/app.ts')
    expect(normalizeFile(`file://${ROOT}/server/app.ts?tsx-namespace=1`, ROOT)).toBe('server/app.ts')
    expect(normalizeFile('C:\\srv\\x\\server\\app.ts', 'C:/srv/x')).toBe('server/app.ts')
  })

  it('reduces a library path to its place in node_modules, whatever the install path or pnpm version', () => {
    expect(normalizeFile('/app/node_modules/fastify/lib/route.js', ROOT)).toBe(
      'node_modules/fastify/lib/route.js',
    )
    expect(
      normalizeFile('/home/ci/w/node_modules/.pnpm/fastify@5.2.1/node_modules/fastify/lib/route.js', ROOT),
    ).toBe('node_modules/fastify/lib/route.js')
  })

  it('keeps only the path of a URL, without the content hash of a bundle', () => {
    expect(normalizeFile('https://app.example.com/assets/index-BQ3aXc1_.js?v=2#x', ROOT)).toBe(
      'assets/index.js',
    )
    expect(normalizeFile('http://127.0.0.1:3000/assets/OrdersPage-Dk29aQz8.js', ROOT)).toBe(
      'assets/OrdersPage.js',
    )
    expect(stripContentHash('static/js/main.3f2a1b4c.chunk.js')).toBe('static/js/main.chunk.js')
    // words are not hashes
    expect(stripContentHash('assets/lazy-features.js')).toBe('assets/lazy-features.js')
    expect(stripContentHash('server/error-handler.ts')).toBe('server/error-handler.ts')
  })

  it('reads V8 and Firefox/Safari frames, marking library and runtime frames', () => {
    const frames = parseFrames(serverStack('/app/node_modules'), ROOT)
    expect(frames).toEqual([
      { fn: 'priceLine', file: 'server/modules/orders/pricing.ts', line: 41, inApp: true },
      { fn: undefined, file: 'server/modules/orders/routes.ts', line: 88, inApp: true },
      {
        fn: 'preHandlerCallback',
        file: 'node_modules/fastify/lib/handleRequest.js',
        line: 140,
        inApp: false,
      },
      {
        fn: 'process.processTicksAndRejections',
        file: 'node:internal/process/task_queues',
        line: 95,
        inApp: false,
      },
    ])
    const gecko = parseFrames(
      'render@https://app.example.com/assets/index-BQ3aXc1_.js:1:2345\n@debugger eval code:1:1',
      ROOT,
    )
    expect(gecko[0]).toEqual({ fn: 'render', file: 'assets/index.js', line: 1, inApp: true })
  })
})

describe('fingerprint', () => {
  it('is the type and the in-app frames: library install paths and moved lines do not split a group', () => {
    const base = fingerprint('TypeError', serverStack('/app/node_modules'), 'm', ROOT)
    expect(
      fingerprint(
        'TypeError',
        serverStack('/opt/other/node_modules/.pnpm/fastify@5.9.0/node_modules'),
        'm',
        ROOT,
      ),
    ).toBe(base)
    expect(fingerprintParts('TypeError', serverStack('/app/node_modules'), 'm', ROOT)).toEqual([
      'TypeError',
      'priceLine server/modules/orders/pricing.ts',
      'server/modules/orders/routes.ts:88',
    ])
    // A named frame moved by an edit above it stays in its group.
    expect(fingerprint('TypeError', serverStack('/app/node_modules', 57), 'm', ROOT)).toBe(base)
  })

  it('ignores the message when there are frames: ids and numbers do not split a group', () => {
    const stack = serverStack('/app/node_modules')
    expect(fingerprint('TypeError', stack, 'order 1842 has no line 3', ROOT)).toBe(
      fingerprint('TypeError', stack, 'order 77 has no line 12', ROOT),
    )
  })

  it('tells apart another type and another call site', () => {
    const stack = serverStack('/app/node_modules')
    const base = fingerprint('TypeError', stack, 'm', ROOT)
    expect(fingerprint('RangeError', stack, 'm', ROOT)).not.toBe(base)
    expect(fingerprint('TypeError', stack.replace('at priceLine', 'at taxLine'), 'm', ROOT)).not.toBe(base)
    // two anonymous handlers in one file are told apart by their line
    expect(fingerprint('TypeError', stack.replace('routes.ts:88:', 'routes.ts:120:'), 'm', ROOT)).not.toBe(
      base,
    )
  })

  it('groups one web bug across builds with other hashes and columns', () => {
    const web = (hash: string, column: number) =>
      [
        "TypeError: can't access property 'name', product is undefined",
        `    at ProductRow (https://app.example.com/assets/InventoryPage-${hash}.js:1:${column})`,
        `    at Ah (https://app.example.com/assets/index-${hash}.js:8:${column + 999})`,
      ].join('\n')
    expect(fingerprint('TypeError', web('Dk29aQz8', 1200), 'a', ROOT)).toBe(
      fingerprint('TypeError', web('BQ3aXc1_', 4711), 'b', ROOT),
    )
  })

  it('uses only library frames when no frame is the app’s', () => {
    const stack = [
      'error: duplicate key value violates unique constraint "orders_pkey"',
      '    at /app/node_modules/pg/lib/client.js:545:17',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n')
    expect(fingerprintParts('DatabaseError', stack, 'm', ROOT)).toEqual([
      'DatabaseError',
      'node_modules/pg/lib/client.js:545',
    ])
  })

  it('falls back to the message with numbers, ids and quoted parts replaced when there is no frame', () => {
    expect(
      normalizeMessage('Order 1842 not found (id 3f9a2c1b-8d7e-4f6a-9b0c-1d2e3f4a5b6c, "GABA-RED")'),
    ).toBe('Order <n> not found (id <id>, <str>)')
    expect(fingerprint('Error', undefined, 'Script error at 0x7f3a9c', ROOT)).toBe(
      fingerprint('Error', 'Error: no frames here', 'Script error at 0x1b2c3d', ROOT),
    )
    expect(fingerprint('Error', undefined, 'Order 12 not found', ROOT)).toBe(
      fingerprint('Error', undefined, 'Order 9931 not found', ROOT),
    )
    expect(fingerprint('Error', undefined, 'Order 12 not found', ROOT)).not.toBe(
      fingerprint('Error', undefined, 'Stock 12 not found', ROOT),
    )
  })
})
