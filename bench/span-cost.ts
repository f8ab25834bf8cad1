// The traced extra of one request in process, split into its parts: the request tracer's hooks as
// the handler calls them on the bench's request and config, one tracer a stage, each stage doing
// one thing more than the one before (start; + routed; + the attempt span and B3 out; + both spans
// ended; + queued, their parts dropped unencoded; + the Zipkin objects made; + JSON.stringify and
// the body buffer, posted to a fake). A stage's row is its cost minus the stage before's, so GC
// lands on the stage whose allocations cause it. CPU ns a request, median of rounds whose stages
// alternate in order (this box is shared: compare rows of one run, not runs).
//
//   bun bench/span-cost.ts [--rounds 9] [--calls 40000]      (also: deno run -A bench/span-cost.ts)
//   bun --cpu-prof bench/span-cost.ts --only <stage number>: that stage alone, for a profile
//   bun bench/span-cost.ts --before <dir>: each stage from that checkout's tracing/ and this one's,
//     alternating trial by trial in one process (the request, config and fields are this checkout's)

import { parseArgs } from 'node:util'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import { detectRuntime } from '../src/adapter/detect.ts'
import { DEFAULTS } from '../src/config/defaults.ts'
import { parseConfig } from '../src/config/load-config.ts'
import { requestInfoOf } from '../src/proxy/downstream-request.ts'
import { arrival } from '../src/proxy/headers/arrival-fields.ts'
import { scanRequestHeaders } from '../src/proxy/headers/upstream-headers.ts'
import { UpstreamFields } from '../src/proxy/headers/upstream-fields.ts'
import { requestTarget } from '../src/proxy/request-target.ts'
import type { RequestTracer } from '../src/proxy/request-tracer.ts'
import { StatsStore } from '../src/stats/stats-store.ts'
import { ClusterManager } from '../src/upstream/cluster-manager.ts'
import { systemClock } from '../src/upstream/clock.ts'
import { wholeBodyResponse } from '../src/upstream/whole-body.ts'
import type { UpstreamRequest } from '../src/runtime.ts'
import type { ExportResult } from '../tracing/export-result.ts'
import { edgewayConfig } from './peers/edgeway.ts'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, calls: { type: 'string', default: '40000' }, only: { type: 'string' }, before: { type: 'string' } } })
const ROUNDS = Number(values.rounds)
const CALLS = Number(values.calls)

const config = parseConfig(edgewayConfig('bench', { listenerPort: 0, adminPort: 0, upstreamPort: 9, collectorPort: 9 }), 'bench.yaml', { env: () => undefined })
const listener = config.listeners[0]!
const stats = new StatsStore()
const clusters = new ClusterManager(config.clusters, { resolverFor: () => { throw new Error('static only') }, stats, clock: systemClock })
const endpoint = clusters.get('service1')!.pick({})!
const route = listener.virtualHosts[0]!.routes[0]!
const conn = { remoteAddress: '127.0.0.1', remotePort: 40000 }
const HOST = '127.0.0.1:8000'
const request = new Request('http://127.0.0.1:8000/service/1', { headers: { host: HOST } })
scanRequestHeaders(request.headers, listener)
const target = requestTarget(request.url, HOST)
const sample = requestInfoOf(request, conn, listener, target, performance.now(), Date.now(), arrival, request.headers)
sample.status = 200
sample.bytesReceived = 0
sample.bytesSent = 90
sample.upstreamCluster = 'service1'
sample.upstreamHost = endpoint.key
sample.endedAt = sample.startedAt + 2
const answer = wholeBodyResponse(new Uint8Array(90), { headers: { 'content-length': '90' } })
const facts = { internal: true }
/** As the shipped runtime sets it (Deno: ids and the url tag as sequential strings, span-tags.ts). */
const sequentialStrings = (await detectRuntime()).sequentialStrings

type Stage = { name: string; run: () => unknown }

/** The stages with the tracer of the checkout at `root`. */
async function stagesOf(root: string): Promise<Stage[]> {
  const { createRequestTracer } = await import(`${root}/tracing/request-tracer.ts`)
  const { setupTracing } = await import(`${root}/tracing/setup-tracing.ts`)
  const { createIdSource } = await import(`${root}/tracing/trace-ids.ts`)
  const { encodeSpan } = await import(`${root}/tracing/zipkin-encode.ts`)
  /** Parts kept as they would be but never encoded: what queueing alone costs. */
  class DroppingExporter implements SpanExporter {
    encodePart(_spans: readonly ReadableSpan[]): string {
      return ''
    }
    exportParts(_parts: readonly string[], done: (result: ExportResult) => void): void {
      done({ code: 0 })
    }
    export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      done({ code: 0 })
    }
    async shutdown(): Promise<void> {}
  }

  /** The Zipkin objects made, as ZipkinExporter.encodePart makes them, but not stringified. */
  class ObjectsOnlyExporter extends DroppingExporter {
    kept: unknown
    override encodePart(spans: readonly ReadableSpan[]): string {
      this.kept = spans.map((s) => encodeSpan(s, 'bench'))
      return ''
    }
  }

  // The traced peer's export settings (bench/peers/edgeway.ts): the large queue, the shipped batch and delay.
  const batch = { maxQueueSize: 200_000, maxExportBatchSize: DEFAULTS.zipkin.maxExportBatchSize, scheduledDelayMs: DEFAULTS.zipkin.scheduledDelayMs, exportTimeoutMs: DEFAULTS.zipkin.exportTimeoutMs }
  /** The shipped path for an http:// collector: parts into the body buffer, handed to the HTTP/1.1 client (here a fake that answers at once). */
  const upstreamFetch = async (r: UpstreamRequest) => {
    void (r.body as Uint8Array).byteLength
    return new Response(null, { status: 202 })
  }

  /** `exporter` null: no exporter and no Zipkin, so ended spans go nowhere (setup-tracing makes no processor). */
  function tracerWith(exporter: SpanExporter | undefined | null): RequestTracer {
    const zipkin = exporter === null ? undefined : { url: 'http://127.0.0.1:9/api/v2/spans', ...batch }
    const tracing = setupTracing({ serviceName: 'bench', nodeId: 'bench', stats: stats.tracing(), exporter: exporter ?? undefined, zipkin, upstreamFetch, sequentialStrings })
    return createRequestTracer({ tracing, listenerStats: () => stats.listener(listener.statPrefix), sequentialStrings })
  }

  type Hooks = 'start' | 'routed' | 'attempt' | 'all'
  /** One request's hooks up to `upTo`, with the arguments the handler passes. */
  function requestOf(tracer: RequestTracer, upTo: Hooks): () => void {
    return () => {
      const trace = tracer.start(request, sample, listener, conn, facts)
      if (upTo === 'start') return
      trace.routed(route, 'service1')
      if (upTo === 'routed') return
      const attempt = { number: 1, endpoint, fields: new UpstreamFields(request.headers), startedAt: sample.startedAt, elapsedMs: 1 }
      trace.attempt(attempt)
      if (upTo === 'attempt') return
      trace.attemptDone(attempt, { kind: 'response', response: answer, endpoint })
      trace.end(sample)
    }
  }

  const ids = createIdSource({ sequential: sequentialStrings })
  const dropping = tracerWith(new DroppingExporter())
  return [
    { name: 'nothing (the loop)', run: () => undefined },
    { name: 'ids alone: a trace id and two span ids', run: () => (ids.traceId(), ids.spanId(), ids.spanId()) },
    { name: 'the attempt fields alone (the handler makes them untraced too)', run: () => new UpstreamFields(request.headers) },
    { name: 'start: decision, request span (record, tag map, 2 ids, name), its tags, Trace', run: requestOf(dropping, 'start') },
    { name: '+ routed: the span name', run: requestOf(dropping, 'routed') },
    { name: '+ attempt: child span, its tags and remote, B3 into fields', run: requestOf(dropping, 'attempt') },
    { name: '+ attemptDone, end: outcome tags, both ended (no processor: not queued)', run: requestOf(tracerWith(null), 'all') },
    { name: '+ queued: the batch processor holds them in parts (dropped unencoded)', run: requestOf(dropping, 'all') },
    { name: '+ encode: the two Zipkin span objects', run: requestOf(tracerWith(new ObjectsOnlyExporter()), 'all') },
    { name: '+ export: JSON.stringify of the parts, body buffer, POST (fake client)', run: requestOf(tracerWith(undefined), 'all') },
  ]
}

function perCall(fn: () => unknown): number {
  const before = process.cpuUsage()
  for (let i = 0; i < CALLS; i++) fn()
  const used = process.cpuUsage(before)
  return ((used.user + used.system) * 1000) / CALLS
}

const here = new URL('..', import.meta.url).pathname.replace(/\/$/, '')
const sides = values.before ? [await stagesOf(values.before.replace(/\/$/, '')), await stagesOf(here)] : [await stagesOf(here)]
const stages = sides.at(-1)!
if (values.only !== undefined) {
  const stage = stages[Number(values.only)]!
  for (let r = 0; r < ROUNDS; r++) perCall(stage.run)
  console.log(`${stage.name}: ${ROUNDS} × ${CALLS} calls`)
  process.exit(0)
}
const runs = sides.map(() => stages.map(() => [] as number[]))
for (const side of sides) for (const stage of side) perCall(stage.run)
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? stages.map((_, i) => i) : stages.map((_, i) => stages.length - 1 - i)
  for (const i of order) {
    for (const s of r % 2 === 0 ? sides.keys() : [...sides.keys()].reverse()) runs[s]![i]!.push(perCall(sides[s]![i]!.run))
  }
  // Let the export's timers and promises run between rounds, as the event loop would.
  await new Promise((resolve) => setTimeout(resolve, 20))
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const costs = runs.map((side) => {
  const loop = median(side[0]!)
  return side.map((xs) => median(xs) - loop)
})
/** The stage's own share: what it adds to the cumulative stage before it. */
const FIRST_CUMULATIVE = 3
const own = (cost: number[], i: number) => (i === FIRST_CUMULATIVE ? cost[i]! : i > FIRST_CUMULATIVE ? cost[i]! - cost[i - 1]! : undefined)
const cell = (n: number | undefined) => (n === undefined ? '' : n.toFixed(0))
console.log(`CPU ns a request, median of ${ROUNDS} rounds of ${CALLS} (${typeof Bun !== 'undefined' ? `bun ${Bun.version}` : 'deno'}); the loop's own ns taken out`)
if (sides.length === 1) {
  console.log('| stage | total ns | this stage ns |')
  console.log('|---|--:|--:|')
  for (let i = 1; i < stages.length; i++) console.log(`| ${stages[i]!.name} | ${cell(costs[0]![i])} | ${cell(own(costs[0]!, i))} |`)
} else {
  console.log(`before: ${values.before}`)
  console.log('| stage | before total | after total | before stage | after stage |')
  console.log('|---|--:|--:|--:|--:|')
  for (let i = 1; i < stages.length; i++) console.log(`| ${stages[i]!.name} | ${cell(costs[0]![i])} | ${cell(costs[1]![i])} | ${cell(own(costs[0]!, i))} | ${cell(own(costs[1]!, i))} |`)
}
process.exit(0)
