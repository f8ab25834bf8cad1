// `edgeway zipkin [--port 9411] [--host 127.0.0.1] [--max-spans 100000] [--max-spans-per-trace 10000]
// [--storage memory|sqlite:PATH] [--retention 72h] [--max-bytes 1GB]`: runs the bundled Zipkin-compatible store and viewer until
// a shutdown signal.

import type { Runtime } from '../../src/runtime.ts'
import { startZipkinStore } from './start-zipkin-store.ts'
import { openTraceStore } from './storage/open-trace-store.ts'
import type { TraceStore } from './storage/trace-store.ts'
import type { RunningZipkinStore, ZipkinStoreOptions } from './start-zipkin-store.ts'

const USAGE =
  'usage: edgeway zipkin [--port 9411] [--host 127.0.0.1] [--max-spans 100000] [--max-spans-per-trace 10000] [--storage memory|sqlite:PATH] [--retention 72h] [--max-bytes 1GB]'

const FLAGS = ['--port', '--host', '--max-spans', '--max-spans-per-trace', '--storage', '--retention', '--max-bytes'] as const
type Flag = (typeof FLAGS)[number]

export type ParsedZipkinArgs = { ok: true; options: ZipkinStoreOptions } | { ok: false; problem: string }

function integerIn(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined
  const value = Number(text)
  return value >= min && value <= max ? value : undefined
}

const AGE_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }

/** `90s`, `30m`, `72h`, `7d` → ms. */
export function parseAge(text: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(text)
  return match ? Number(match[1]) * AGE_UNITS[match[2]!]! : undefined
}

/** `1000000`, `512MB`, `1GiB` → bytes. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text)
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined
  const bytes = unit === undefined ? undefined : Number(match![1]) * unit
  return bytes !== undefined && bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : undefined
}

export function parseZipkinArgs(args: readonly string[]): ParsedZipkinArgs {
  const options: ZipkinStoreOptions = { hostname: '127.0.0.1', port: 9411, maxSpans: 100_000 }
  let sqlitePath: string | undefined
  let maxAgeMs: number | undefined
  let maxBytes: number | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg
    const inline = arg.startsWith('--') && eq !== -1 ? arg.slice(eq + 1) : undefined
    if (!(FLAGS as readonly string[]).includes(flag)) return { ok: false, problem: `zipkin: unknown argument ${arg} (${USAGE})` }
    const value = inline ?? args[++i]
    if (value === undefined || value === '') return { ok: false, problem: `zipkin: ${flag} needs a value (${USAGE})` }
    switch (flag as Flag) {
      case '--host':
        options.hostname = value
        break
      case '--port': {
        const port = integerIn(value, 0, 65535)
        if (port === undefined) return { ok: false, problem: `zipkin: --port must be an integer 0-65535, got ${value}` }
        options.port = port
        break
      }
      case '--max-spans': {
        const maxSpans = integerIn(value, 1, 100_000_000)
        if (maxSpans === undefined) return { ok: false, problem: `zipkin: --max-spans must be a positive integer, got ${value}` }
        options.maxSpans = maxSpans
        break
      }
      case '--max-spans-per-trace': {
        const perTrace = integerIn(value, 1, 100_000_000)
        if (perTrace === undefined) return { ok: false, problem: `zipkin: --max-spans-per-trace must be a positive integer, got ${value}` }
        options.maxSpansPerTrace = perTrace
        break
      }
      case '--storage':
        if (value === 'memory') sqlitePath = undefined
        else if (value.startsWith('sqlite:') && value.length > 'sqlite:'.length) sqlitePath = value.slice('sqlite:'.length)
        else return { ok: false, problem: `zipkin: --storage must be memory or sqlite:PATH, got ${value}` }
        break
      case '--retention':
        maxAgeMs = parseAge(value)
        if (maxAgeMs === undefined || maxAgeMs < 1000) return { ok: false, problem: `zipkin: --retention must be a duration like 90s, 30m, 72h or 7d, got ${value}` }
        break
      case '--max-bytes':
        maxBytes = parseSize(value)
        if (maxBytes === undefined) return { ok: false, problem: `zipkin: --max-bytes must be a size like 500000000, 512MB or 1GiB, got ${value}` }
        break
    }
  }
  if (sqlitePath === undefined) {
    // The in-memory store is bounded by --max-spans alone.
    if (maxAgeMs !== undefined || maxBytes !== undefined) return { ok: false, problem: 'zipkin: --retention and --max-bytes need --storage sqlite:PATH' }
  } else {
    options.storage = { kind: 'sqlite', path: sqlitePath, ...(maxAgeMs !== undefined && { maxAgeMs }), ...(maxBytes !== undefined && { maxBytes }) }
  }
  return { ok: true, options }
}

/** Resolves once listening; a shutdown signal closes the listener and the storage, and exits 0. */
export async function runZipkinCommand(args: string[], runtime: Runtime): Promise<RunningZipkinStore> {
  const parsed = parseZipkinArgs(args)
  if (!parsed.ok) {
    console.error(parsed.problem)
    return runtime.exit(1)
  }
  const options = parsed.options
  const reason = (error: unknown) => (error instanceof Error ? error.message : String(error))
  let store: TraceStore
  try {
    store = await openTraceStore(options.storage ?? { kind: 'memory' }, options.maxSpans, runtime.name, {
      ...(options.maxSpansPerTrace !== undefined && { maxSpansPerTrace: options.maxSpansPerTrace }),
    })
  } catch (error) {
    console.error(`zipkin: cannot open ${options.storage?.kind === 'sqlite' ? `sqlite:${options.storage.path}` : 'the store'}: ${reason(error)}`)
    return runtime.exit(1)
  }
  let running: RunningZipkinStore
  try {
    running = await startZipkinStore({ ...options, store }, (serveOptions, handler) => runtime.serve(serveOptions, handler))
  } catch (error) {
    console.error(`zipkin: cannot listen on ${options.hostname}:${options.port}: ${reason(error)}`)
    return runtime.exit(1)
  }
  const storage = options.storage?.kind === 'sqlite' ? `sqlite:${options.storage.path}, ${running.store.traceCount} traces` : 'in memory'
  console.log(`zipkin store listening on ${running.url} (UI at /zipkin/, ${storage})`)
  runtime.onShutdownSignal(() => {
    void running.close().then(() => runtime.exit(0))
  })
  return running
}
