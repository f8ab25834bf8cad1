// Starts the bundled store on a listener through an injected serve function, so this folder
// stays runtime-neutral (src/adapter supplies Bun or Deno serving).

import type { FetchHandler, ServeOptions, ServerHandle } from '../../src/runtime.ts'
import { SpanStore } from './span-store.ts'
import { buildZipkinApp, DEFAULT_MAX_BODY_BYTES } from './zipkin-app.ts'

export type ZipkinStoreOptions = { hostname: string; port: number; maxSpans: number }

export type ServeFunction = (options: ServeOptions, handler: FetchHandler) => Promise<ServerHandle>

export type RunningZipkinStore = {
  readonly port: number
  readonly url: string
  readonly store: SpanStore
  close(): Promise<void>
}

export async function startZipkinStore(options: ZipkinStoreOptions, serve: ServeFunction): Promise<RunningZipkinStore> {
  const store = new SpanStore({ maxSpans: options.maxSpans })
  const app = buildZipkinApp(store)
  const handle = await serve(
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
  const host = options.hostname.includes(':') ? `[${options.hostname}]` : options.hostname
  return {
    port: handle.port,
    url: `http://${host}:${handle.port}`,
    store,
    close: () => handle.close(),
  }
}
