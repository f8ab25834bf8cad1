// Run by Deno in a cross-runtime test: exports one span through setupTracing to the collector URL
// given as the first argument, then shuts down (which must flush it). Exit code 0 means it was sent.

import { SpanKind } from '@opentelemetry/api'
import { StatsStore } from '../../src/stats/stats-store.ts'
import { setupTracing, tagResponse } from '../../tracing/index.ts'

const url = (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ?? process.argv[2]
if (!url) throw new Error('usage: deno-export-span.ts <collector url>')

const stats = new StatsStore().tracing()
const tracing = setupTracing({
  serviceName: 'deno-proxy',
  nodeId: 'deno-1',
  stats,
  zipkin: { url, maxQueueSize: 16, maxExportBatchSize: 8, scheduledDelayMs: 60_000, exportTimeoutMs: 5000 },
})
const span = tracing.startSpan('from-deno', {
  kind: SpanKind.SERVER,
  parent: { traceId: '463ac35c9f6413ad', spanId: 'a2fb4a1d1a96d312', sampled: true },
})
tagResponse(span, { status: 200, upstreamCluster: 'local_service' })
span.end()
await tracing.shutdown()
console.log(JSON.stringify({ spans_sent: stats.spans_sent.value, reports_failed: stats.reports_failed.value }))
if (stats.spans_sent.value !== 1) process.exit(1)
