// Per-request cost of each step of the request path, measured one step at a time on the bench's
// request (GET /service/1, Host only, as wrk sends it) and config, with the arguments
// src/proxy/proxy-handler.ts passes (the arrival walk's fields, headers edited in place, the HTTP/1.1
// client's whole-body Response handed on): CPU ns per call, median of rounds. The parts add up to
// less than the whole handler (bench/handler-cost.ts): the async glue between the phases, and the GC
// those allocations cause later, belong to no one step.
//
//   bun bench/phase-cost.ts [--rounds R] [--calls N]      (also: deno run -A bench/phase-cost.ts)
//   bun bench/phase-cost.ts --bytes [--calls N]           (Bun only: JS heap bytes a call instead of CPU)
//
// --bytes: each step (less its baseline) run at least N times in a child under BUN_JSC_logGC, from one
// collection to another, the bytes the collections say were allocated ÷ the calls (bench/gc-log.ts):
// what a step allocates, objects that die young included. The client's steps (request head, response head, whole-body Response, the exchange over
// the in-memory transport) split what bench/request-heap.ts's `client` mode counts as a whole.

import { spawn } from 'node:child_process'
import { parseArgs } from 'node:util'
import { LineBuffer, DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_FLUSH_MIN_BYTES } from '../src/access-log/line-buffer.ts'
import { systemTimers } from '../src/log/fd-sink.ts'
import { listenerAccessLog } from '../src/access-log/listener-format.ts'
import { parseConfig } from '../src/config/load-config.ts'
import { attemptAbort, attemptAnswered, AttemptRequest, attemptUrl } from '../src/proxy/attempt.ts'
import { downstreamRequestError, requestInfoOf } from '../src/proxy/downstream-request.ts'
import { arrival } from '../src/proxy/headers/arrival-fields.ts'
import { downstreamHeaders } from '../src/proxy/headers/downstream-headers.ts'
import { requestIdFor } from '../src/proxy/headers/request-id.ts'
import { scanRequestHeaders, takeScanned, upstreamFields } from '../src/proxy/headers/upstream-headers.ts'
import { UpstreamFields } from '../src/proxy/headers/upstream-fields.ts'
import { requestTarget } from '../src/proxy/request-target.ts'
import { respond } from '../src/proxy/respond.ts'
import { compileRoutePlans } from '../src/proxy/route-plan.ts'
import { statsObserver } from '../src/proxy/stats-observer.ts'
import { RouteTable } from '../src/routing/route-table.ts'
import { StatsStore } from '../src/stats/stats-store.ts'
import { ClusterManager } from '../src/upstream/cluster-manager.ts'
import { systemClock } from '../src/upstream/clock.ts'
import { TimerQueue } from '../src/upstream/timer-queue.ts'
import { isHopByHopFree, marksHopByHopFree } from '../src/upstream/hop-by-hop-free.ts'
import { wholeBodyOf, wholeBodyResponse } from '../src/upstream/whole-body.ts'
import { setupTracing } from '../tracing/setup-tracing.ts'
import { createRequestTracer } from '../tracing/request-tracer.ts'
import { edgewayConfig } from './peers/edgeway.ts'
import { allocatedBetweenCollections, runBetweenCollections } from './gc-log.ts'
import { memoryClient } from './memory-transport.ts'
import { composed, composeRequestHead, rangeWritten } from '../src/http1/head-bytes.ts'
import { ResponseReader, NO_READER_EVENTS } from '../src/http1/response-reader.ts'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, calls: { type: 'string', default: '50000' }, bytes: { type: 'boolean', default: false }, 'bytes-child': { type: 'boolean', default: false } } })
const ROUNDS = Number(values.rounds)
const CALLS = Number(values.calls)
const SMALL = 'edgeway bench upstream: a small fixed body, about ninety bytes long, for req/s runs......\n'

const config = parseConfig(edgewayConfig('bench', { listenerPort: 0, adminPort: 0, upstreamPort: 9, collectorPort: 9, accessLog: true }), 'bench.yaml', { env: () => undefined })
const listener = config.listeners[0]!
const stats = new StatsStore()
const clusters = new ClusterManager(config.clusters, { resolverFor: () => { throw new Error('static only') }, stats, clock: systemClock })
const cluster = clusters.get('service1')!
const routes = new RouteTable(listener.virtualHosts)
const conn = { remoteAddress: '127.0.0.1', remotePort: 40000 }
const URL_ = 'http://127.0.0.1:8000/service/1'
const HOST = '127.0.0.1:8000'
const newRequest = () => new Request(URL_, { headers: { host: HOST } })
const SMALL_BYTES = new TextEncoder().encode(SMALL)
const RESPONSE_HEAD = { 'content-type': 'text/plain;charset=utf-8', 'content-length': '90', date: 'Wed, 02 Dec 2026 13:00:00 GMT' }
/** As the HTTP/1.1 client hands a small answer over: body and head together, marked hop-by-hop free. */
const upstreamResponse = () => {
  const response = wholeBodyResponse(SMALL_BYTES, { headers: RESPONSE_HEAD })
  marksHopByHopFree(response)
  return response
}
const request = newRequest()
const requestHeaders = request.headers
const headerBytes = scanRequestHeaders(requestHeaders, listener)
const target = requestTarget(request.url, HOST)
// The fields of the arrival walk above (the handler reads them at once; nothing scans in between here).
const info = () => requestInfoOf(request, conn, listener, target, performance.now(), Date.now(), arrival, requestHeaders)
const sample = info()
sample.upstreamClusterStats = cluster.stats
sample.status = 200
const endpoint = cluster.pick({})!
const listenerStats = stats.listener(listener.statPrefix)
const observer = statsObserver(listenerStats, undefined)
const tracing = setupTracing({
  serviceName: 'bench',
  nodeId: 'bench',
  stats: stats.tracing(),
  zipkin: { url: 'http://127.0.0.1:9/api/v2/spans', maxQueueSize: 1_000_000, maxExportBatchSize: 2048, scheduledDelayMs: 500, exportTimeoutMs: 5000 },
  fetch: (async () => new Response(null, { status: 202 })) as unknown as typeof fetch,
})
const tracer = createRequestTracer({ tracing, listenerStats: () => listenerStats })
const route = listener.virtualHosts[0]!.routes[0]!
// The buffer as a file or stdout output has it (FdSink: the chunk's bytes taken as they are, here dropped).
const logBuffer = new LineBuffer(() => {}, { flushIntervalMs: DEFAULT_FLUSH_INTERVAL_MS, flushMinBytes: DEFAULT_FLUSH_MIN_BYTES, timers: systemTimers }, () => {})
// The shipped access log of the bench config (Envoy's default text format), appended as
// AccessLogOutputs does: written straight into the buffer's bytes when the format has a writer.
const accessLog = listenerAccessLog(listener, { hostname: 'bench', env: () => undefined })!
const writeLine = accessLog.write
const logLine = writeLine ? () => logBuffer.appendWith(writeLine, sample) : () => logBuffer.append(accessLog.format(sample))
const ready = upstreamResponse()
const fetchReady = async () => ready
const respondContext = { observers: { watchesBody: false }, now: () => performance.now() }
// As route-phase.ts passes them: the route plan's constant block made once (not per call).
const facts = { peer: conn, requestId: sample.requestId, hostRewrite: undefined, expectedTimeout: '15000', constants: compileRoutePlans(listener).get(listener.virtualHosts[0]!.routes[0]!)!.constants, authority: HOST, internal: true, forwardedFor: null }

const attemptTimers = new TimerQueue(() => performance.now())
const attemptFields = new UpstreamFields(request.headers)
async function attemptStep(): Promise<void> {
  const started = attemptTimers.now()
  const abort = attemptAbort(request, 15000, attemptTimers, started)
  const attempt = new AttemptRequest(1, endpoint, attemptUrl(endpoint, '/service/1'), 'GET', '/service/1', attemptFields, null, abort.signal, 15000, started, false, cluster.config.connectTimeoutMs, cluster.config.transport, cluster.connections(endpoint), request)
  const result = attemptAnswered(attempt, await fetchReady(), abort)
  attempt.elapsedMs = attemptTimers.now() - started
  if (result.kind === 'response') result.abort?.recycle()
}

const clientHeaders = new Headers({ host: '127.0.0.1:8000', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-request-id': sample.requestId!, 'x-envoy-expected-rq-timeout-ms': '15000' })
const ANSWER = new TextEncoder().encode(`HTTP/1.1 200 OK\r\nContent-Type: text/plain;charset=utf-8\r\nDate: Thu, 03 Dec 2026 08:00:00 GMT\r\nContent-Length: ${SMALL.length}\r\n\r\n${SMALL}`)
const reader = new ResponseReader('GET', NO_READER_EVENTS)
const RESPONSE_FIELDS = ['content-type', 'text/plain;charset=utf-8', 'date', 'Thu, 03 Dec 2026 08:00:00 GMT', 'content-length', '90']
const clientSignal = new AbortController().signal
const clientConnections = { tryOpen: () => true, connected() {}, closed() {}, tryQueue: () => true, dequeued() {}, received() {}, sent() {}, connectFailed() {}, tlsHandshake() {}, tlsFailed() {} }
const clientRequest = () => ({ url: 'http://127.0.0.1:9/service/1', path: '/service/1', method: 'GET', headers: clientHeaders, body: null, signal: clientSignal, connections: clientConnections })

type Step = { name: string; run: () => unknown; baseline?: () => unknown }
const steps: Step[] = [
  { name: 'parse: arrival walk of the headers (size, fields, what must not cross)', run: () => (scanRequestHeaders(requestHeaders, listener), takeScanned()) },
  { name: 'parse: request target (URL, Host)', run: () => requestTarget(request.url, HOST) },
  { name: 'parse: RequestInfo (incl. request id)', run: info },
  { name: 'parse: framing and header-size checks', run: () => downstreamRequestError(request, target, listener, sample, observer, arrival, headerBytes) },
  { name: 'request id: generate (UUID v4)', run: () => requestIdFor(null, true) },
  { name: 'route: RouteTable.match', run: () => routes.match({ authority: HOST, path: '/service/1', query: '', headers: requestHeaders }) },
  // The client's own Headers edited in place (each fresh per call: the baseline takes their making out).
  {
    name: 'headers: upstream request fields, edited in place',
    run: () => {
      const headers = new Headers({ host: HOST })
      scanRequestHeaders(headers, listener)
      return upstreamFields(headers, listener, facts, true, takeScanned())
    },
    baseline: () => new Headers({ host: HOST }),
  },
  // The client's whole-body Response: its headers edited in place, hop-by-hop fields known absent.
  { name: 'headers: downstream response headers, edited in place', run: () => { const r = upstreamResponse(); return downstreamHeaders(r.headers, listener, false, 1, true, isHopByHopFree(r)) }, baseline: upstreamResponse },
  {
    name: 'stats: counters and histograms of one request',
    run: () => {
      observer.started()
      observer.attemptStarted(sample, undefined as never)
      observer.attemptDone(sample, { elapsedMs: 1 } as never, { kind: 'response', response: ready, endpoint })
      observer.responded(sample)
      observer.done(sample)
    },
  },
  // As forward.ts runs an attempt inline, on the attempts' TimerQueue (lifecycle/generation.ts), its
  // controller recycled as downstream-response.ts does for a whole body. One clock read more than the
  // loop's (its first attempt starts at the arrival's read); alone in the follow queue, as for a lone client.
  { name: 'upstream call: attempt around the client (abort controller, timers)', run: attemptStep, baseline: fetchReady },
  { name: 'response: the whole-body Response handed on (status, observers, end)', run: () => { const r = upstreamResponse(); wholeBodyOf(r); return respond(r, sample, observer, respondContext, SMALL_BYTES.byteLength, 1) }, baseline: upstreamResponse },
  { name: 'access log: the line written into the buffer, flushes included', run: logLine },
  // The HTTP/1.1 client's parts, on the request ab-cost.ts's client side sends (the proxy's fields as one Headers).
  { name: 'client: request head composed into the slab', run: () => { composeRequestHead('GET', '/service/1', '127.0.0.1:9', clientHeaders, 'none', null, null); rangeWritten(composed.slab, composed.start, composed.end) } },
  { name: 'client: response head and body read (reused reader)', run: () => { reader.reset('GET', NO_READER_EVENTS); reader.execute(ANSWER) } },
  { name: 'client: whole-body Response made (fields appended, marked)', run: () => { const r = wholeBodyResponse(SMALL_BYTES, { status: 200 }); for (let i = 0; i < RESPONSE_FIELDS.length; i += 2) r.headers.append(RESPONSE_FIELDS[i]!, RESPONSE_FIELDS[i + 1]!); marksHopByHopFree(r) } },
  { name: 'client: one exchange on a pooled in-memory connection', run: () => memoryClient.fetch(clientRequest()) },
  {
    name: 'spans: request + attempt span, B3 out, end, export',
    run: () => {
      const trace = tracer.start(request, sample, listener, conn, { internal: true })
      trace.routed(route, 'service1')
      const attempt = { number: 1, endpoint, fields: new UpstreamFields(new Headers()) }
      trace.attempt(attempt)
      trace.attemptDone(attempt, { kind: 'response', response: ready, endpoint })
      trace.end(sample)
    },
  },
]

async function perCall(fn: () => unknown): Promise<number> {
  const before = process.cpuUsage()
  for (let i = 0; i < CALLS; i++) {
    const r = fn()
    if (r instanceof Promise) await r
  }
  const used = process.cpuUsage(before)
  return ((used.user + used.system) * 1000) / CALLS
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** In the child (BUN_JSC_logGC=1): each step's calls, and its baseline's, from one collection to another. */
async function bytesChild(): Promise<void> {
  const { heapSize } = await import('bun:jsc')
  for (const [i, step] of steps.entries()) {
    await perCall(step.run)
    await runBetweenCollections(`step ${i}`, step.run, CALLS, heapSize)
    if (step.baseline) await runBetweenCollections(`baseline ${i}`, step.baseline, CALLS, heapSize)
  }
}

async function bytesTable(): Promise<void> {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--bytes-child', '--calls', String(CALLS)], { env: { ...process.env, BUN_JSC_logGC: '1' }, stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => (log += chunk))
  await new Promise((resolve) => child.on('exit', resolve))
  const bytes = allocatedBetweenCollections(log)
  console.log(`JS heap bytes allocated per call, at least ${CALLS} calls from one collection to another (bun ${Bun.version}, BUN_JSC_logGC)`)
  console.log('| step | bytes/call |')
  console.log('|---|--:|')
  for (const [i, step] of steps.entries()) {
    const b = (bytes.get(`step ${i}`) ?? NaN) - (step.baseline ? (bytes.get(`baseline ${i}`) ?? NaN) : 0)
    console.log(`| ${step.name} | ${b.toFixed(0)} |`)
  }
}

if (values['bytes-child']) await bytesChild()
else if (values.bytes) await bytesTable()
else {
  console.log(`CPU ns per call, median of ${ROUNDS} rounds of ${CALLS} (${typeof Bun !== 'undefined' ? `bun ${Bun.version}` : `deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`})`)
  console.log('| step | ns/call |')
  console.log('|---|--:|')
  for (const step of steps) {
    await perCall(step.run)
    const runs: number[] = []
    for (let r = 0; r < ROUNDS; r++) runs.push((await perCall(step.run)) - (step.baseline ? await perCall(step.baseline) : 0))
    console.log(`| ${step.name} | ${Math.max(0, median(runs)).toFixed(0)} |`)
  }
}
await tracing.shutdown()
process.exit(0)
