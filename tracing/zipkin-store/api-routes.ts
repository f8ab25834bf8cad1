// Zipkin's v2 HTTP API (/api/v2/*) over a TraceStore (storage/trace-store.ts); answers follow zipkin2-api.yaml so Zipkin
// clients and the tests that check against a real Zipkin work unchanged.

import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { linkDependencies } from './dependency-links.ts'
import { decodeSpansJson } from './span-decoder.ts'
import { readSpanBody } from './request-body.ts'
import { normaliseTraceId } from './span-ids.ts'
import type { TraceStore } from './storage/trace-store.ts'
import { DEFAULT_LOOKBACK_MS, parseTraceQuery } from './trace-query.ts'

export type ApiOptions = {
  /** Tag keys offered by /autocompleteKeys (Zipkin's AUTOCOMPLETE_KEYS). */
  autocompleteKeys: readonly string[]
  maxBodyBytes: number
  nowMs: () => number
}

export const DEFAULT_AUTOCOMPLETE_KEYS = ['http.method', 'http.status_code', 'upstream_cluster', 'response_flags']

function requiredService(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim().toLowerCase()
}

export function buildApiRoutes(store: TraceStore, options: ApiOptions): Hono {
  const api = new Hono()
  // Zipkin's default ZIPKIN_QUERY_ALLOWED_ORIGINS is "*": browser tools call the API directly.
  api.use('*', cors())

  api.post('/spans', async (c) => {
    const body = await readSpanBody(c.req.raw, options.maxBodyBytes)
    if (!body.ok) return c.text(body.reason, body.status)
    const decoded = decodeSpansJson(body.text)
    if (!decoded.ok) return c.text(decoded.reason, 400)
    store.accept(decoded.spans)
    return c.body(null, 202)
  })

  api.get('/services', (c) => c.json(store.serviceNames()))

  api.get('/spans', (c) => {
    const service = requiredService(c.req.query('serviceName'))
    if (service === undefined) return c.text('serviceName is required', 400)
    return c.json(store.spanNames(service))
  })

  api.get('/remoteServices', (c) => {
    const service = requiredService(c.req.query('serviceName'))
    if (service === undefined) return c.text('serviceName is required', 400)
    return c.json(store.remoteServiceNames(service))
  })

  api.get('/traces', (c) => {
    const parsed = parseTraceQuery(new URL(c.req.url).searchParams, options.nowMs())
    if (!parsed.ok) return c.text(parsed.reason, 400)
    return c.json(store.findTraces(parsed.query))
  })

  api.get('/trace/:traceId', (c) => {
    const id = normaliseTraceId(c.req.param('traceId'))
    if (!id.ok) return c.text(`traceId ${id.reason}`, 400)
    const trace = store.getTrace(id.id)
    if (!trace) return c.text(`traceId ${id.id} not found`, 404)
    return c.json(trace)
  })

  api.get('/traceMany', (c) => {
    const raw = (c.req.query('traceIds') ?? '').split(',').filter((id) => id.trim() !== '')
    const ids = new Set<string>()
    for (const text of raw) {
      const id = normaliseTraceId(text.trim())
      if (!id.ok) return c.text(`traceIds: ${text} ${id.reason}`, 400)
      ids.add(id.id)
    }
    if (ids.size < 2 || ids.size !== raw.length) {
      return c.text('traceIds must list at least two unique trace ids; use /trace/{traceId} for one', 400)
    }
    return c.json([...ids].map((id) => store.getTrace(id)).filter((trace) => trace !== undefined))
  })

  api.get('/dependencies', (c) => {
    const endTs = c.req.query('endTs')
    if (endTs === undefined || !/^\d+$/.test(endTs)) return c.text('endTs is required (epoch milliseconds)', 400)
    const lookbackText = c.req.query('lookback')
    if (lookbackText !== undefined && !/^\d+$/.test(lookbackText)) return c.text('lookback must be an integer', 400)
    const endTsMs = Number(endTs)
    const lookbackMs = lookbackText === undefined ? DEFAULT_LOOKBACK_MS : Number(lookbackText)
    return c.json(linkDependencies(store.tracesInWindow(endTsMs, lookbackMs)))
  })

  api.get('/autocompleteKeys', (c) => c.json([...options.autocompleteKeys]))

  api.get('/autocompleteValues', (c) => {
    const key = c.req.query('key')
    if (key === undefined || key === '') return c.text('key is required', 400)
    return c.json(options.autocompleteKeys.includes(key) ? store.tagValues(key) : [])
  })

  return api
}
