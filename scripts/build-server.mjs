// Bundles the server's TypeScript into dist/server.mjs (dependencies stay in node_modules), so
// `npm start` runs plain Node: faster start and less memory than compiling on the fly.
import { build } from 'esbuild'

await build({
  entryPoints: ['server/main.ts'],
  outfile: 'dist/server.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})
