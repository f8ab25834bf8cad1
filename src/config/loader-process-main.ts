// Entry point of the config loader process (see loader-protocol.ts): one LoadRequest on stdin,
// one LoadAnswer on stdout, then exit. Runs with the serving process's runtime and flags.

import { readFileSync } from 'node:fs'
import process from 'node:process'
import { ConfigError } from './config-error.ts'
import { loadConfig } from './load-config.ts'
import type { LoadAnswer, LoadRequest } from './loader-protocol.ts'

export function answer(request: LoadRequest, env: (name: string) => string | undefined, read: (path: string) => string = (path) => readFileSync(path, 'utf8')): LoadAnswer {
  const reads: [string, string][] = []
  const readFile = (path: string) => {
    const pinned = request.pinned[path]
    if (pinned !== undefined) return pinned
    const text = read(path)
    reads.push([path, text])
    return text
  }
  try {
    const loaded = loadConfig(request.text, request.source, { env, readFile, ...(request.overlay !== undefined && { overlay: request.overlay }) })
    return { ok: true, config: loaded.config, format: loaded.format, warnings: loaded.warnings, dynamicFiles: loaded.dynamicFiles, reads }
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, source: error.source, issues: error.issues }
    return { ok: false, crash: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

if (import.meta.main) {
  const request = JSON.parse(await readStdin()) as LoadRequest
  const out = JSON.stringify(answer(request, (name) => process.env[name]))
  process.stdout.write(out, () => process.exit(0))
}
