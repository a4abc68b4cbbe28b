// Builds the web app (web/) into dist/web with Vite, unless its inputs are unchanged since the
// last build: `npm start` runs this every time, so an unchanged checkout starts at once.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const out = path.join(root, 'dist', 'web')
const stampFile = path.join(out, '.inputs-sha256')

function* files(dir) {
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry)
    if (statSync(full).isDirectory()) yield* files(full)
    else yield full
  }
}

const hash = createHash('sha256')
for (const file of [...files(path.join(root, 'web')), path.join(root, 'package-lock.json')]) {
  hash.update(path.relative(root, file)).update('\0').update(readFileSync(file))
}
const inputs = hash.digest('hex')

if (
  existsSync(path.join(out, 'index.html')) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8') === inputs
) {
  process.exit(0)
}
const { build } = await import('vite')
await build({ configFile: path.join(root, 'web', 'vite.config.ts'), logLevel: 'warn' })
writeFileSync(stampFile, inputs)
