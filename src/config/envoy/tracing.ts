// Zipkin tracing as Envoy configures it: a provider in each HCM's `tracing` (v3) or one bootstrap
// `tracing.http` (v2 era), naming a `collector_cluster`. edgeway has one exporter per process, so
// every provider must agree; the collector is reached at that cluster's endpoint.

import { ZIPKIN } from './fields.ts'
import { at, checkKeys, type Ctx, enumOf, mapping, type Obj, str, unwrap } from './reader.ts'
import { extension } from './extensions.ts'
import type { Tx } from './translate.ts'

type Collector = {
  readonly path: string
  readonly cluster: string | undefined
  readonly endpoint: string
  readonly traceId128Bit: boolean
  readonly sharedSpanContext: boolean
}

export type TracingState = { collectors: Collector[] }

/** Bootstrap `tracing: { http: { name: envoy.zipkin, config | typed_config } }` (v2 era). */
export function readBootstrapTracing(tx: Tx, value: unknown): void {
  const tracing = mapping(tx.ctx, value, 'tracing')
  if (!tracing) return
  for (const key of Object.keys(tracing)) if (key !== 'http') tx.ctx.error(at('tracing', key), 'unknown field of Tracing (typo?), or not supported by edgeway')
  if (tracing.http === undefined) return
  readProvider(tx, tracing.http, 'tracing.http')
}

/** One provider `{ name, typed_config }` (HCM `tracing.provider` or bootstrap `tracing.http`). */
export function readProvider(tx: Tx, value: unknown, path: string): void {
  const { ctx } = tx
  const entry = mapping(ctx, value, path)
  if (!entry) return
  for (const key of Object.keys(entry)) if (!['name', 'typed_config', 'config'].includes(key)) ctx.error(at(path, key), 'unknown field (typo?)')
  const ext = extension(ctx, entry, path, ['zipkin'], 'tracer')
  if (!ext) return
  const zipkin = checkKeys(ctx, ext.body, ext.bodyPath, ZIPKIN)
  const cluster = str(ctx, zipkin.collector_cluster, at(ext.bodyPath, 'collector_cluster'))
  if (cluster === undefined && zipkin.collector_cluster === undefined) ctx.error(at(ext.bodyPath, 'collector_cluster'), 'is required')
  let endpoint = str(ctx, zipkin.collector_endpoint, at(ext.bodyPath, 'collector_endpoint')) ?? '/api/v2/spans'
  const version = enumOf(ctx, zipkin.collector_endpoint_version, at(ext.bodyPath, 'collector_endpoint_version'), ['HTTP_JSON', 'HTTP_PROTO', 'HTTP_JSON_V1', 'GRPC', 'DEPRECATED_AND_UNAVAILABLE_DO_NOT_USE'])
  if (version !== undefined && version !== 'HTTP_JSON') ctx.unsupported(at(ext.bodyPath, 'collector_endpoint_version'), `${version} is`)
  if (endpoint === '/api/v1/spans') {
    // Zipkin serves v2 beside v1: the same collector, in the format edgeway writes.
    ctx.warn(at(ext.bodyPath, 'collector_endpoint'), 'edgeway sends Zipkin v2 JSON: posting to /api/v2/spans instead of /api/v1/spans')
    endpoint = '/api/v2/spans'
  }
  if (!endpoint.startsWith('/')) ctx.error(at(ext.bodyPath, 'collector_endpoint'), 'must start with "/"')
  const shared = unwrap(zipkin.shared_span_context)
  if (shared !== undefined && shared !== false && shared !== true) ctx.error(at(ext.bodyPath, 'shared_span_context'), 'expected true or false')
  const wide = unwrap(zipkin.trace_id_128bit)
  if (wide !== undefined && typeof wide !== 'boolean') ctx.error(at(ext.bodyPath, 'trace_id_128bit'), 'expected true or false')
  tx.tracing.collectors.push({ path: ext.bodyPath, cluster, endpoint, traceId128Bit: wide === true, sharedSpanContext: shared !== false })
}

/** The one compact `tracing.zipkin` for every provider seen, resolved through its collector cluster. */
export function finishTracing(tx: Tx, clusters: readonly Obj[]): Obj | undefined {
  const { ctx } = tx
  const [first, ...others] = tx.tracing.collectors
  if (!first) return undefined
  for (const other of others) {
    if (other.cluster !== first.cluster || other.endpoint !== first.endpoint || other.traceId128Bit !== first.traceId128Bit || other.sharedSpanContext !== first.sharedSpanContext)
      ctx.unsupported(other.path, `a second Zipkin collector (${other.cluster}${other.endpoint}, first: ${first.cluster}${first.endpoint}) is`)
  }
  if (first.cluster === undefined) return undefined
  const found = clusters.find((c) => c.name === first.cluster)
  if (!found) {
    const known = clusters.map((c) => `"${String(c.name)}"`).join(', ') || 'none'
    ctx.error(at(first.path, 'collector_cluster'), `unknown cluster "${first.cluster}": known clusters are ${known}`)
    return undefined
  }
  const endpoint = collectorEndpoint(ctx, found, first.path)
  if (!endpoint) return undefined
  const host = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address
  tx.paths.link('tracing', first.path)
  // Envoy's default is a shared span context; edgeway's compact format defaults to its own ids.
  const zipkin = { url: `http://${host}:${endpoint.port}${first.endpoint}`, shared_span_context: first.sharedSpanContext, ...(first.traceId128Bit && { trace_id_128bit: true }) }
  return { zipkin }
}

function collectorEndpoint(ctx: Ctx, cluster: Obj, path: string): { address: string; port: string } | undefined {
  const endpoints = (cluster.load_assignment as Obj | undefined)?.endpoints
  const first = Array.isArray(endpoints) ? (endpoints[0] as Obj | undefined) : undefined
  if (!first || first.address === undefined || first.port === undefined) {
    ctx.error(at(path, 'collector_cluster'), `cluster "${String(cluster.name)}" has no endpoint to send spans to`)
    return undefined
  }
  return { address: String(first.address), port: String(first.port) }
}
