import { createHash } from 'node:crypto'

/**
 * Error grouping. A fingerprint is a hash of the error's type and its top five in-app frames,
 * each frame normalized so that one bug stays one group:
 *
 * - a frame is its function name and file; line and column are left out (they move with every
 *   edit above them). An anonymous function keeps its line, as nothing else tells two of them
 *   in one file apart;
 * - files are made relative to the package root; URLs keep only their path (no origin, query or
 *   hash); `file://` and Windows separators are undone;
 * - a content hash in a bundle's name is dropped (`assets/index-BQ3aXc1_.js` → `assets/index.js`);
 * - library frames (`node_modules`, whatever the install path or pnpm's versioned folders) and
 *   runtime frames (`node:`, `internal/`, native) are skipped when there are in-app frames, so a
 *   library upgrade or where it is installed does not split groups, and the call site decides;
 *   with no in-app frame at all, the top library frames are used (by their path in node_modules),
 *   and with none of those either, whatever frames there are.
 *
 * The message is not part of it (ids and numbers in messages would split one bug into many),
 * except when there is no frame at all: then the message with its numbers, ids and quoted parts
 * replaced is all there is.
 */

export interface Frame {
  fn: string | undefined
  file: string
  line: number
  inApp: boolean
}

const TOP_FRAMES = 5

/** V8 (`at fn (file:1:2)`, `at file:1:2`) and Firefox/Safari (`fn@file:1:2`) frames. */
const V8_FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?\s*$/
const GECKO_FRAME = /^\s*([^@\s]*)@(.+?):(\d+):(\d+)\s*$/

export function parseFrames(stack: string, root: string): Frame[] {
  const frames: Frame[] = []
  for (const line of stack.split('\n')) {
    const match = V8_FRAME.exec(line) ?? GECKO_FRAME.exec(line)
    if (!match) continue
    const [, fn, location = '', lineNo = '0'] = match
    // `at eval (eval at f (file:1:2), <anonymous>:1:1)`, `at async Promise.all (index 0)`: no file of ours.
    if (location.includes('(')) continue
    const file = normalizeFile(location, root)
    frames.push({ fn: normalizeFunction(fn), file, line: Number(lineNo), inApp: isInApp(file) })
  }
  return frames
}

export function normalizeFunction(fn: string | undefined): string | undefined {
  const name = fn
    ?.trim()
    .replace(/^async /, '')
    .replace(/^new /, '')
    .replace(/ \[as [^\]]+\]$/, '')
  if (!name || name === '<anonymous>' || name.endsWith('.<anonymous>')) return undefined
  return name
}

export function normalizeFile(location: string, root: string): string {
  let file = location
  if (/^https?:\/\//.test(file)) {
    try {
      file = new URL(file).pathname
    } catch {
      // not a URL after all: keep it as it is
    }
  } else {
    file = file.replace(/^file:\/\//, '').replace(/[?#].*$/, '')
  }
  file = file.replaceAll('\\', '/')
  const library = file.lastIndexOf('/node_modules/')
  if (library !== -1) file = file.slice(library + 1)
  else if (root && file.startsWith(`${root}/`)) file = file.slice(root.length + 1)
  file = file.replace(/^\/+/, '')
  return stripContentHash(file)
}

/** `index-BQ3aXc1_.js`, `main.3f2a1b4c.chunk.js` → `index.js`, `main.chunk.js`. */
export function stripContentHash(file: string): string {
  return file.replace(
    /([^/]+?)[-.]([A-Za-z0-9_-]{8,})((?:\.chunk)?\.(?:m?js|cjs|css))$/,
    (whole, name: string, token: string, extension: string) =>
      looksLikeHash(token) ? `${name}${extension}` : whole,
  )
}

function looksLikeHash(token: string): boolean {
  return /\d/.test(token) || (/[A-Z]/.test(token) && /[a-z]/.test(token)) || token.includes('_')
}

function isInApp(file: string): boolean {
  return !(
    file.startsWith('node_modules/') ||
    file.startsWith('node:') ||
    file.startsWith('internal/') ||
    file === 'native' ||
    file === '<anonymous>' ||
    /^[a-z-]+-extension:/.test(file)
  )
}

/** A frame as it enters the fingerprint. */
function frameKey(frame: Frame): string {
  return frame.fn ? `${frame.fn} ${frame.file}` : `${frame.file}:${frame.line}`
}

/** Numbers, ids and quoted parts replaced, for grouping errors that have no frames. */
export function normalizeMessage(message: string): string {
  return message
    .replace(/(["'`]).*?\1/g, '<str>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<id>')
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{6,}\b/gi, '<id>')
    .replace(/\d+(\.\d+)?/g, '<n>')
    .trim()
}

/** The parts a fingerprint is made of (for tests and for explaining a group). */
export function fingerprintParts(type: string, stack: string | undefined, message: string, root: string) {
  const frames = stack ? parseFrames(stack, root) : []
  const inApp = frames.filter((frame) => frame.inApp)
  const library = frames.filter((frame) => frame.file.startsWith('node_modules/'))
  const chosen = inApp.length > 0 ? inApp : library.length > 0 ? library : frames
  const top = chosen.slice(0, TOP_FRAMES).map(frameKey)
  return top.length > 0 ? [type, ...top] : [type, normalizeMessage(message)]
}

export function fingerprint(type: string, stack: string | undefined, message: string, root: string): string {
  return createHash('sha256')
    .update(fingerprintParts(type, stack, message, root).join('\n'))
    .digest('hex')
    .slice(0, 32)
}
