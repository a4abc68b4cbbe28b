import { readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Stack traces of the built server (`dist/server.mjs`) mapped back to the TypeScript sources,
 * for the log and the error tracker. `npm start` runs without Node's `--enable-source-maps`,
 * which decodes the whole map when the bundle loads and keeps it: about 25 MB of an idle
 * process's memory. Here the map is read when a stack is first mapped and held only weakly
 * after that. A frame the map does not cover, or any stack when there is no map (the server run
 * from its TypeScript sources, as in development and tests), is left as it is.
 */

const FRAME = /^(\s*at (?:.+? \()?)(.+?):(\d+):(\d+)(\)?\s*)$/

const maps = new Map<string, WeakRef<SourceMap> | null>()

function mapOf(bundle: string): SourceMap | null {
  const cached = maps.get(bundle)
  if (cached === null) return null
  const held = cached?.deref()
  if (held) return held
  let map: SourceMap | null = null
  try {
    map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')))
  } catch {
    // no map beside it (or an unreadable one): frames stay as they are
  }
  maps.set(bundle, map && new WeakRef(map))
  return map
}

/** Rewrites the frames in `bundle` (a built file with its `.map` beside it) to source positions. */
export function mapStack(stack: string, bundle: string): string {
  const bundleUrl = `file://${bundle}`
  let map: SourceMap | null | undefined
  return stack
    .split('\n')
    .map((line) => {
      const match = FRAME.exec(line)
      if (!match) return line
      const [, head, file, lineNo, column, tail] = match as unknown as string[]
      if (file !== bundle && file !== bundleUrl) return line
      map ??= mapOf(bundle)
      const entry = map?.findEntry(Number(lineNo) - 1, Number(column) - 1)
      if (!entry || !('originalSource' in entry)) return line
      const source = entry.originalSource.startsWith('file://')
        ? fileURLToPath(entry.originalSource)
        : path.resolve(path.dirname(bundle), entry.originalSource)
      return `${head}${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}${tail}`
    })
    .join('\n')
}

/** This process's own bundle: the file this code was built into, when it is one. */
const ownBundle = (() => {
  const file = fileURLToPath(import.meta.url)
  return file.endsWith('.mjs') ? file : null
})()

/** `mapStack` for the running server's own code (a no-op when it runs from its sources). */
export function sourceStack(stack: string): string {
  return ownBundle ? mapStack(stack, ownBundle) : stack
}
