// What a small request allocates on the JS heap, through the shipped listener handler (as
// bench/handler-cost.ts builds it) against a fake upstream. Two views, Bun only (bun:jsc):
//
// - live objects per request in flight, by type: IN_FLIGHT requests parked at the upstream call (the
//   fake fetch does not answer until told), then parked with their response handed back but its body
//   unread; heapStats() (a full GC first) before and after, the difference ÷ IN_FLIGHT. What a request
//   holds while it waits is what the GC traces and promotes;
// - bytes allocated per request: the same handler in a child process run with BUN_JSC_logGC=1, at
//   least N requests from one collection to another, the bytes those collections say were allocated
//   ÷ the requests (bench/gc-log.ts; exact, where summing the heap's growth between collections was
//   off by up to a collection's worth, ~20 MB, per run). Objects that die young cost allocation and
//   eden collections, not tracing.
//
//   bun bench/request-heap.ts [--requests N] [--modes untraced,logged,fault,traced] [--top K]
//
// Modes: passthrough (the fake alone), untraced, logged, fault, traced (the proxy before the fake),
// and client: the shipped HTTP/1.1 client alone, no proxy, over an in-memory transport answering
// as bench/upstream.ts does (bench/memory-transport.ts), the request's headers and signal made once:
// what the client itself allocates an exchange; proxied: the untraced proxy before that client (the
// JS of edgeway-bun's request path end to end, no sockets).
//
// Bounded: N sequential requests per mode in a child, no sockets.

import { spawn } from 'node:child_process'
import { parseArgs } from 'node:util'
import { fullGC, heapStats } from 'bun:jsc'
import { detectRuntime } from '../src/adapter/detect.ts'
import type { ConnInfo, FetchHandler, Runtime, UpstreamRequest } from '../src/runtime.ts'
import { marksHopByHopFree } from '../src/upstream/hop-by-hop-free.ts'
import { wholeBodyResponse } from '../src/upstream/whole-body.ts'
import { allocatedBetweenCollections, runBetweenCollections } from './gc-log.ts'
import { benchTracer, listenerHandler, withFaultFilter } from './listener-handler.ts'
import { memoryClient, park, parkedCount, release as releaseMemory } from './memory-transport.ts'
import { edgewayConfig } from './peers/edgeway.ts'

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '40000' },
    modes: { type: 'string', default: 'passthrough,untraced,logged,fault' },
    top: { type: 'string', default: '14' },
    child: { type: 'string' },
  },
})
const REQUESTS = Number(values.requests)
const IN_FLIGHT = 400
const SMALL = new TextEncoder().encode('edgeway bench upstream: a small fixed body, about ninety bytes long, for req/s runs......\n')
const conn: ConnInfo = { remoteAddress: '127.0.0.1', remotePort: 40000 }
const runtime = await detectRuntime()

/** Parked calls wait here until released; otherwise the fake answers at once. */
let parked: (() => void)[] | undefined
/** As the shipped HTTP/1.1 client hands over a small answer that came with its head. */
const fakeFetch = async (_request: UpstreamRequest): Promise<Response> => {
  if (parked) await new Promise<void>((resolve) => parked!.push(resolve))
  const response = wholeBodyResponse(SMALL, { headers: { 'content-type': 'text/plain;charset=utf-8', 'content-length': String(SMALL.byteLength), date: 'Wed, 02 Dec 2026 13:00:00 GMT' } })
  // As the client marks a head it parsed without hop-by-hop fields (src/upstream/hop-by-hop-free.ts).
  marksHopByHopFree(response)
  return response
}

/** What the proxy sends for a wrk request (as bench/client-cost.ts), made once: the client's own allocations. */
const clientRequest: UpstreamRequest = {
  url: 'http://127.0.0.1:9/service/1',
  method: 'GET',
  headers: new Headers({ host: '127.0.0.1:8000', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-request-id': crypto.randomUUID(), 'x-envoy-expected-rq-timeout-ms': '15000' }),
  body: null,
  signal: new AbortController().signal,
  // As a cluster endpoint's: the client's pool knows the URL's endpoint (no parse), nothing is counted.
  connections: { tryOpen: () => true, connected() {}, closed() {}, tryQueue: () => true, dequeued() {}, received() {}, sent() {}, connectFailed() {}, tlsHandshake() {}, tlsFailed() {} },
}

function handlerFor(mode: string): Promise<FetchHandler> {
  if (mode === 'passthrough') return Promise.resolve(() => fakeFetch({} as UpstreamRequest))
  if (mode === 'client') return Promise.resolve(() => memoryClient.fetch(clientRequest))
  if (mode === 'proxied') {
    const yaml = edgewayConfig('bench', { listenerPort: 0, adminPort: 0, upstreamPort: 9, accessLog: false })
    return listenerHandler(yaml, { ...runtime, upstreamFetch: memoryClient.fetch } as Runtime)
  }
  const traced = mode === 'traced'
  const yaml = edgewayConfig('bench', { listenerPort: 0, adminPort: 0, upstreamPort: 9, collectorPort: traced ? 9 : undefined, accessLog: mode === 'logged' })
  // `traced`: 100 %, with the bench's real exporter (batched encoding) and a faked collector answer.
  return listenerHandler(mode === 'fault' ? withFaultFilter(yaml) : yaml, { ...runtime, upstreamFetch: fakeFetch } as Runtime, traced ? benchTracer : undefined)
}

const newRequest = () => new Request('http://127.0.0.1:8000/service/1', { headers: { host: '127.0.0.1:8000' } })

async function one(handler: FetchHandler): Promise<void> {
  const response = await handler(newRequest(), conn)
  await response.arrayBuffer()
}

type Counts = Record<string, number>
function counts(): Counts {
  fullGC()
  return { ...heapStats().objectTypeCounts }
}
function perRequest(before: Counts, after: Counts): [string, number][] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)])
  return [...names].map((name): [string, number] => [name, ((after[name] ?? 0) - (before[name] ?? 0)) / IN_FLIGHT]).filter(([, n]) => n >= 0.5).sort((a, b) => b[1] - a[1])
}

/** Objects each in-flight request holds: parked at the upstream call, then with its response unread. */
async function liveView(mode: string): Promise<{ atUpstream: [string, number][]; atResponse: [string, number][] }> {
  const handler = await handlerFor(mode)
  for (let i = 0; i < 5000; i++) await one(handler)
  const base = counts()
  parked = []
  park()
  const pending: Promise<Response>[] = []
  const requests: Request[] = []
  for (let i = 0; i < IN_FLIGHT; i++) {
    // The runtime holds the request while it is served: so does this view (the pass-through's row
    // counts the same requests, the baseline for the proxy's own objects).
    const request = newRequest()
    requests.push(request)
    pending.push(Promise.resolve(handler(request, conn)) as Promise<Response>) // its upstream makes Responses: no promise more per request
  }
  const waiting = () => parked!.length + parkedCount()
  for (let i = 0; i < 5 && waiting() < IN_FLIGHT; i++) await Bun.sleep(0)
  const atUpstream = perRequest(base, counts())
  const release = parked
  parked = undefined
  for (const go of release) go()
  releaseMemory()
  const responses = await Promise.all(pending)
  const atResponse = perRequest(base, counts())
  for (const response of responses) await response.arrayBuffer()
  requests.length = 0
  return { atUpstream, atResponse }
}

/** In the child (BUN_JSC_logGC=1): warm up, then at least N requests from one collection to another. */
async function allocChild(mode: string): Promise<void> {
  const handler = await handlerFor(mode)
  for (let i = 0; i < 10_000; i++) await one(handler)
  const { heapSize } = await import('bun:jsc')
  await runBetweenCollections('request', () => one(handler), REQUESTS, heapSize)
}

async function allocView(mode: string): Promise<number> {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--child', mode, '--requests', String(REQUESTS)], { env: { ...process.env, BUN_JSC_logGC: '1' }, stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => (log += chunk))
  await new Promise((resolve) => child.on('exit', resolve))
  return allocatedBetweenCollections(log).get('request') ?? NaN
}

if (values.child) {
  await allocChild(values.child)
  process.exit(0)
}

const top = Number(values.top)
console.log(`bun ${Bun.version}; live objects per request with ${IN_FLIGHT} in flight (heapStats after a full GC), bytes allocated per request over ${REQUESTS} sequential requests (BUN_JSC_logGC)`)
for (const mode of values.modes!.split(',')) {
  const bytes = await allocView(mode)
  const { atUpstream, atResponse } = await liveView(mode)
  const sum = (xs: [string, number][]) => xs.reduce((s, [, n]) => s + n, 0)
  console.log(`\n## ${mode}: ${Math.round(bytes)} bytes allocated per request; live per request: ${sum(atUpstream).toFixed(1)} objects at the upstream call, ${sum(atResponse).toFixed(1)} with the response handed back`)
  console.log('| at the upstream call | n | with the response | n |')
  console.log('|---|--:|---|--:|')
  for (let i = 0; i < Math.min(top, Math.max(atUpstream.length, atResponse.length)); i++) {
    const u = atUpstream[i]
    const r = atResponse[i]
    console.log(`| ${u ? u[0] : ''} | ${u ? u[1].toFixed(1) : ''} | ${r ? r[0] : ''} | ${r ? r[1].toFixed(1) : ''} |`)
  }
}
process.exit(0)
