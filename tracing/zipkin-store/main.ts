// `edgeway zipkin [--port 9411] [--host 127.0.0.1] [--max-spans 100000]`: runs the bundled
// Zipkin-compatible store and viewer until a shutdown signal.

import type { Runtime } from '../../src/runtime.ts'
import { startZipkinStore } from './start-zipkin-store.ts'
import type { RunningZipkinStore, ZipkinStoreOptions } from './start-zipkin-store.ts'

const USAGE = 'usage: edgeway zipkin [--port 9411] [--host 127.0.0.1] [--max-spans 100000]'

export type ParsedZipkinArgs = { ok: true; options: ZipkinStoreOptions } | { ok: false; problem: string }

function integerIn(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined
  const value = Number(text)
  return value >= min && value <= max ? value : undefined
}

export function parseZipkinArgs(args: readonly string[]): ParsedZipkinArgs {
  const options: ZipkinStoreOptions = { hostname: '127.0.0.1', port: 9411, maxSpans: 100_000 }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg
    const inline = arg.startsWith('--') && eq !== -1 ? arg.slice(eq + 1) : undefined
    if (flag !== '--port' && flag !== '--host' && flag !== '--max-spans') {
      return { ok: false, problem: `zipkin: unknown argument ${arg} (${USAGE})` }
    }
    const value = inline ?? args[++i]
    if (value === undefined || value === '') return { ok: false, problem: `zipkin: ${flag} needs a value (${USAGE})` }
    if (flag === '--host') {
      options.hostname = value
    } else if (flag === '--port') {
      const port = integerIn(value, 0, 65535)
      if (port === undefined) return { ok: false, problem: `zipkin: --port must be an integer 0-65535, got ${value}` }
      options.port = port
    } else {
      const maxSpans = integerIn(value, 1, 100_000_000)
      if (maxSpans === undefined) return { ok: false, problem: `zipkin: --max-spans must be a positive integer, got ${value}` }
      options.maxSpans = maxSpans
    }
  }
  return { ok: true, options }
}

/** Resolves once listening; a shutdown signal closes the listener and exits 0. */
export async function runZipkinCommand(args: string[], runtime: Runtime): Promise<RunningZipkinStore> {
  const parsed = parseZipkinArgs(args)
  if (!parsed.ok) {
    console.error(parsed.problem)
    return runtime.exit(1)
  }
  let running: RunningZipkinStore
  try {
    running = await startZipkinStore(parsed.options, (options, handler) => runtime.serve(options, handler))
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    console.error(`zipkin: cannot listen on ${parsed.options.hostname}:${parsed.options.port}: ${reason}`)
    return runtime.exit(1)
  }
  console.log(`zipkin store listening on ${running.url} (UI at /zipkin/)`)
  runtime.onShutdownSignal(() => {
    void running.close().then(() => runtime.exit(0))
  })
  return running
}
