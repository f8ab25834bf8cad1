// The bundled Zipkin-compatible collector and viewer as one Hono app: /api/v2/* and /zipkin/*.

import { Hono } from 'hono'
import { buildApiRoutes, DEFAULT_AUTOCOMPLETE_KEYS } from './api-routes.ts'
import type { TraceStore } from './storage/trace-store.ts'
import { buildUiRoutes } from './ui/ui-routes.tsx'

export type ZipkinAppOptions = {
  autocompleteKeys?: readonly string[]
  /** Largest accepted POST body, before and after gunzip. Default 16 MiB. */
  maxBodyBytes?: number
  nowMs?: () => number
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

export function buildZipkinApp(store: TraceStore, options: ZipkinAppOptions = {}): Hono {
  const nowMs = options.nowMs ?? Date.now
  // Non-strict so /zipkin and /zipkin/ both reach the trace list.
  const app = new Hono({ strict: false })
  const autocompleteKeys = options.autocompleteKeys ?? DEFAULT_AUTOCOMPLETE_KEYS
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const api = buildApiRoutes(store, { autocompleteKeys, maxBodyBytes, nowMs })
  app.route('/api/v2', api)
  // Lens, served under /zipkin/, calls the API at /zipkin/api/v2, as Zipkin's server answers it too.
  app.route('/zipkin/api/v2', api)
  app.route('/zipkin', buildUiRoutes(store, nowMs, { autocompleteKeys, maxBodyBytes }))
  app.get('/favicon.ico', (c) => c.redirect('/zipkin/favicon.svg'))
  app.get('/', (c) => c.redirect('/zipkin/'))
  // Same shape as Zipkin's /health, which compose health checks poll.
  app.get('/health', (c) => c.json({ status: 'UP', zipkin: { status: 'UP', details: { spans: store.spanCount, droppedSpans: store.droppedSpans } } }))
  return app
}
