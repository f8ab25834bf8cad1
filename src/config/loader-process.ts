// The serving process's side of config loading: the file is parsed and validated in a short-lived
// loader process (loader-process-main.ts), so YAML, zod, the schemas and the Envoy front end (~16
// MiB of RSS on Bun, and the live heap that sets how far the GC lets garbage grow under load) never
// load where requests are served. Where no process can be started (Deno without --allow-run) the
// same loader runs in this process, as before.

import { ConfigError } from './config-error.ts'
import type { LoadAnswer, LoadRequest } from './loader-protocol.ts'

export type { LoadRequest } from './loader-protocol.ts'
export type LoadedModel = Extract<LoadAnswer, { ok: true }>

/** Starts `entry` with `input` on stdin; undefined when no process may be started here. */
export type RunHelper = (entry: string, input: string) => Promise<{ readonly code: number | null; readonly stdout: string }> | undefined

// Built (scripts/bundle.ts), this module is part of a .js chunk with the loader's entry built
// beside it as loader-process-main.js; the bundler leaves this URL as it is written.
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './loader-process-main.ts' : './loader-process-main.js', import.meta.url).href

/** Throws ConfigError (every problem with its path) as loadConfig does. */
export async function loadModel(request: LoadRequest, deps: { readonly runHelper: RunHelper; readonly env: (name: string) => string | undefined }): Promise<LoadedModel> {
  const run = deps.runHelper(ENTRY, JSON.stringify(request))
  const answer = run ? decode(await run) : (await import('./loader-process-main.ts')).answer(request, deps.env)
  if (answer.ok) return { ...answer, config: deepFreeze(answer.config) }
  if ('crash' in answer) throw new Error(`the config loader failed: ${answer.crash}`)
  throw new ConfigError(answer.source, answer.issues)
}

function decode(result: { readonly code: number | null; readonly stdout: string }): LoadAnswer {
  try {
    if (result.code === 0) return JSON.parse(result.stdout) as LoadAnswer
  } catch {
    // reported below
  }
  return { ok: false, crash: `its process exited with ${result.code === null ? 'a signal' : `code ${result.code}`} without an answer` }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
