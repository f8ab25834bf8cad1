// The serving bundle: src/main.ts and the config loader's entry built by `bun build` into dist/
// (`npm run build`, run by npm ci's `prepare`), which bin/edgeway and `npm start` run while it is
// newer than every source file. Bun keeps each loaded module's source, records and resolver state
// for the life of the process, and transpiles every .ts file it loads: ~170 modules as one graph of
// chunks (split at each dynamic import, so what loads lazily still does) holds ~3 MiB less RSS
// idle and after load at the same CPU a request (bench/README.md, stop 31). Tests run the sources.

import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'

export const BUNDLE_DIR = 'dist'
/** The serving entry inside the bundle; the loader's (`loader-process-main.js`) sits beside it. */
export const BUNDLE_MAIN = 'main.js'
/** The config loader runs in its own process (src/config/loader-process.ts): its entry is built too. */
const ENTRIES = ['src/main.ts', 'src/config/loader-process-main.ts']
/** The folders whose .ts files the bundle is built from (package.json is inlined too). */
const SOURCES = ['src', 'tracing']

/**
 * Builds into `outDir` (absolute, or relative to `repoDir`), replacing what was there.
 * Whitespace and syntax are minified (~0.5 MiB less source held); identifiers are kept, so stack
 * traces and error names read as in the sources.
 */
export function buildBundle(repoDir: string, outDir: string = BUNDLE_DIR, bun: string = process.execPath): string {
  const target = isAbsolute(outDir) ? outDir : join(repoDir, outDir)
  // Built beside and renamed over: a failed build leaves the previous bundle whole.
  const building = `${target}.building-${process.pid}`
  rmSync(building, { recursive: true, force: true })
  const args = ['build', ...ENTRIES, '--target=bun', '--splitting', '--minify-whitespace', '--minify-syntax', '--entry-naming', '[name].[ext]', '--outdir', building]
  const result = spawnSync(bun, args, { cwd: repoDir, stdio: ['ignore', 'ignore', 'inherit'] })
  if (result.status !== 0) {
    rmSync(building, { recursive: true, force: true })
    throw new Error(`bun build failed (${result.status === null ? `signal ${result.signal}` : `exit ${result.status}`})`)
  }
  rmSync(target, { recursive: true, force: true })
  renameSync(building, target)
  return join(target, BUNDLE_MAIN)
}

/** dist/main.js when it was built after the last change to any source file, else undefined. */
export function freshBundle(repoDir: string): string | undefined {
  const main = join(repoDir, BUNDLE_DIR, BUNDLE_MAIN)
  if (!existsSync(main)) return undefined
  const builtMs = statSync(main).mtimeMs
  const sources = [join(repoDir, 'package.json')]
  for (const dir of SOURCES) {
    for (const file of readdirSync(join(repoDir, dir), { recursive: true, encoding: 'utf8' })) if (file.endsWith('.ts') || file.endsWith('.tsx')) sources.push(join(repoDir, dir, file))
  }
  return sources.every((file) => statSync(file).mtimeMs <= builtMs) ? main : undefined
}

if (import.meta.main) {
  const repoDir = join(import.meta.dirname, '..')
  buildBundle(repoDir)
}
