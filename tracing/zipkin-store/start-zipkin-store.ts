// Starts the bundled store on a listener through an injected serve function, so this folder
// stays runtime-neutral (src/adapter supplies Bun or Deno serving).

import type { FetchHandler, ServeOptions, ServerHandle } from '../../src/runtime.ts'
import { openTraceStore, type StorageOptions } from './storage/open-trace-store.ts'
import type { TraceStore } from './storage/trace-store.ts'
import { buildZipkinApp, DEFAULT_MAX_BODY_BYTES } from './zipkin-app.ts'

export type ZipkinStoreOptions = {
  hostname: string
  port: number
  maxSpans: number
  /** Default 10000 (storage/trace-store.ts). */
  maxSpansPerTrace?: number
  /** Default: in memory. */
  storage?: StorageOptions
  /** Picks the SQLite driver (bun:sqlite or node:sqlite); default bun. */
  runtime?: 'bun' | 'deno'
  /** An already opened storage (the command opens it first to report its own errors); wins over `storage`. */
  store?: TraceStore
}

export type ServeFunction = (options: ServeOptions, handler: FetchHandler) => Promise<ServerHandle>

export type RunningZipkinStore = {
  readonly port: number
  readonly url: string
  readonly store: TraceStore
  /** Stops listening, then closes the storage (a SQLite file is left consistent). */
  close(): Promise<void>
}

export async function startZipkinStore(options: ZipkinStoreOptions, serve: ServeFunction): Promise<RunningZipkinStore> {
  const limits = options.maxSpansPerTrace === undefined ? {} : { maxSpansPerTrace: options.maxSpansPerTrace }
  const store = options.store ?? (await openTraceStore(options.storage ?? { kind: 'memory' }, options.maxSpans, options.runtime ?? 'bun', limits))
  const app = buildZipkinApp(store)
  let handle: ServerHandle
  try {
    handle = await serve(
      {
        hostname: options.hostname,
        port: options.port,
        idleTimeoutSeconds: 30,
        // Gzip bodies are checked again after decoding in request-body.ts.
        maxRequestBodyBytes: DEFAULT_MAX_BODY_BYTES,
        reusePort: false,
      },
      (request) => app.fetch(request),
    )
  } catch (error) {
    store.close()
    throw error
  }
  const host = options.hostname.includes(':') ? `[${options.hostname}]` : options.hostname
  return {
    port: handle.port,
    url: `http://${host}:${handle.port}`,
    store,
    close: async () => {
      await handle.close()
      store.close()
    },
  }
}
