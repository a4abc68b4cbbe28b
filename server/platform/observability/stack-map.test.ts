import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mapStack, sourceStack } from './stack-map.ts'

describe('stack traces of the build, mapped to the sources', () => {
  let dir: string
  let bundle: string
  /** Where `throw` of failDeep ended up in the bundle (1-based line and column). */
  let thrown: { line: number; column: number }
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sentia-stack-map-'))
    const source = path.join(dir, 'src', 'deep.ts')
    mkdirSync(path.dirname(source))
    writeFileSync(
      source,
      [
        'export function unused(): number {',
        '  return 1',
        '}',
        '',
        'export function failDeep(reason: string): never {',
        "  throw new Error('failed: ' + reason)",
        '}',
        '',
      ].join('\n'),
    )
    bundle = path.join(dir, 'dist', 'server.mjs')
    await build({
      entryPoints: [source],
      outfile: bundle,
      bundle: true,
      format: 'esm',
      platform: 'node',
      sourcemap: true,
      logLevel: 'silent',
    })
    const lines = readFileSync(bundle, 'utf8').split('\n')
    const index = lines.findIndex((line) => line.includes('throw new Error'))
    thrown = { line: index + 1, column: lines[index]!.indexOf('throw') + 1 }
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('rewrites the frames of the bundle to the TypeScript file, line and column', () => {
    const stack = [
      'Error: failed: no stock',
      `    at failDeep (${bundle}:${thrown.line}:${thrown.column})`,
      `    at file://${bundle}:${thrown.line}:${thrown.column}`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at run (/srv/node_modules/fastify/lib/route.js:10:3)',
    ].join('\n')
    const source = path.join(dir, 'src', 'deep.ts')
    expect(mapStack(stack, bundle).split('\n')).toEqual([
      'Error: failed: no stock',
      `    at failDeep (${source}:6:3)`,
      `    at ${source}:6:3`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at run (/srv/node_modules/fastify/lib/route.js:10:3)',
    ])
  })

  it('leaves the frames of a file without a map as they are', () => {
    const stack = `Error: x\n    at failDeep (${bundle}:${thrown.line}:${thrown.column})`
    const elsewhere = path.join(dir, 'dist', 'other.mjs')
    expect(mapStack(stack.replace(bundle, elsewhere), elsewhere)).toBe(stack.replace(bundle, elsewhere))
  })

  it('is a no-op when the server runs from its sources', () => {
    const stack = new Error('here').stack!
    expect(sourceStack(stack)).toBe(stack)
  })
})
