// In-process micro-bench of the request path: CPU µs per request through the listener handler the
// shipped build uses (generation.ts: drain guard → error guard → proxy handler), on the bench
// config (mode `fault`: with the shipped front proxy's fault filter at 0 %), against a fake upstream
// (no socket: only edgeway's own JS and the Response/Headers work it asks of the runtime) or a real
// loopback one (bench/upstream.ts in a child process, so only the client side is counted). A baseline that hands the upstream's Response back as it is (the
// pass-through) is measured the same way, so the table shows edgeway's cost above it.
//
//   bun bench/handler-cost.ts [--upstream fake|whole|loopback] [--requests N] [--rounds R] [--modes a,b]
//   (`whole`: the fake answer made as the shipped HTTP/1.1 client makes a small one, body and head
//   together, which edgeway hands on as it is; `fake` is what Bun's fetch hands over, read whole)
//   deno run -A --unstable-net bench/handler-cost.ts ...   (the same on Deno; the upstream still runs on Bun)
//   --profile <file.cpuprofile>: a V8 CPU profile of the measured rounds (node:inspector; Deno has no --cpu-prof)
//   mode `floor`: the floor peers' handler (bench/peers/scripts/floor-*serve-client.ts), the upstream
//   client alone with the request's headers, its Response handed back: with `--upstream loopback`,
//   what edgeway's request path costs above the client it runs on
//
// Bounded: R rounds of N requests, 50 in flight (wrk -c50); no network beyond 127.0.0.1.
// Process CPU (process.cpuUsage: every thread of this process) ÷ requests, median over rounds.

import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startProfiler } from './cpu-profiler.ts'
import { detectRuntime } from '../src/adapter/detect.ts'
import type { ConnInfo, FetchHandler, Runtime, UpstreamRequest } from '../src/runtime.ts'
import { marksHopByHopFree } from '../src/upstream/hop-by-hop-free.ts'
import { wholeBodyResponse } from '../src/upstream/whole-body.ts'
import { benchTracer, listenerHandler, withFaultFilter } from './listener-handler.ts'
import { edgewayConfig } from './peers/edgeway.ts'
import { freePort, waitForPort } from './free-port.ts'

const { values } = parseArgs({
  options: {
    upstream: { type: 'string', default: 'fake' },
    requests: { type: 'string', default: '40000' },
    rounds: { type: 'string', default: '5' },
    modes: { type: 'string', default: 'passthrough,untraced,logged,traced' },
    path: { type: 'string', default: '/service/1' },
    // Deno has no --cpu-prof: a V8 CPU profile of the measured rounds through node:inspector (both runtimes).
    profile: { type: 'string' },
  },
})
const REQUESTS = Number(values.requests)
const ROUNDS = Number(values.rounds)
const IN_FLIGHT = 50
const SMALL = 'edgeway bench upstream: a small fixed body, about ninety bytes long, for req/s runs......\n'

const runtime = await detectRuntime()
let upstreamPort = 9
let stopUpstream = () => {}
if (values.upstream === 'loopback') {
  upstreamPort = await freePort()
  // bench/upstream.ts is a Bun script (default-exported serve options), also when this runs on Deno.
  const bun = runtime.name === 'bun' ? process.execPath : new URL('../node_modules/.bin/bun', import.meta.url).pathname
  const child = spawn(bun, [new URL('./upstream.ts', import.meta.url).pathname], { env: { ...process.env, PORT: String(upstreamPort) }, stdio: 'ignore' })
  stopUpstream = () => void child.kill('SIGTERM')
  await waitForPort(upstreamPort, 10_000, () => child.exitCode === null)
}
const upstreamBase = `http://127.0.0.1:${upstreamPort}`
const snapshotHeaders = runtime.name === 'deno' ? (await import('../src/adapter/deno-request-headers.ts')).snapshotHeaders : undefined

/** What the fake upstream answers: the bench upstream's small body, as Bun's fetch would hand it over. */
const fakeFetch = async (_request: UpstreamRequest): Promise<Response> =>
  new Response(SMALL, { headers: { 'content-type': 'text/plain;charset=utf-8', 'content-length': String(SMALL.length), date: new Date().toUTCString() } })
/** `--upstream whole`: the same answer as the shipped HTTP/1.1 client hands it over (src/upstream/whole-body.ts). */
const SMALL_BYTES = new TextEncoder().encode(SMALL)
const wholeFetch = async (_request: UpstreamRequest): Promise<Response> => {
  const response = wholeBodyResponse(SMALL_BYTES, { headers: { 'content-type': 'text/plain;charset=utf-8', 'content-length': String(SMALL.length), date: new Date().toUTCString() } })
  // As the client marks a head it parsed without hop-by-hop fields (src/upstream/hop-by-hop-free.ts).
  marksHopByHopFree(response)
  return response
}
const upstreamFetch = values.upstream === 'loopback' ? runtime.upstreamFetch : values.upstream === 'whole' ? wholeFetch : fakeFetch

async function edgewayHandler(mode: string): Promise<FetchHandler> {
  const traced = mode === 'traced'
  const yaml = edgewayConfig('bench', { listenerPort: 0, adminPort: 0, upstreamPort, collectorPort: traced ? 9 : undefined, accessLog: mode === 'logged' })
  // `fault`: untraced with the shipped routes/front-proxy.yaml's listener fault filter (abort at 0 %).
  return listenerHandler(mode === 'fault' ? withFaultFilter(yaml) : yaml, { ...runtime, upstreamFetch } as Runtime, traced ? benchTracer : undefined)
}

/** The pass-through (bench/peers/scripts/bun-passthrough.ts): the runtime's own fetch with the client's headers, the upstream's Response handed back as it is. */
function passthroughHandler(): FetchHandler {
  return (request) => {
    const url = request.url
    if (values.upstream !== 'loopback') return upstreamFetch({} as UpstreamRequest)
    return fetch(upstreamBase + url.slice(url.indexOf('/', 8)), { method: request.method, headers: request.headers })
  }
}

/** The floor peers' handler (bench/peers/scripts/floor-*-serve-client.ts): the upstream client with the request's headers, its Response handed back as it is. */
function floorHandler(): FetchHandler {
  const signal = new AbortController().signal
  return (request) => {
    const url = request.url
    return upstreamFetch({ url: upstreamBase + url.slice(url.indexOf('/', 8)), method: request.method, headers: request.headers, body: null, signal })
  }
}

const conn: ConnInfo = { remoteAddress: '127.0.0.1', remotePort: 40000 }

/** As the runtime hands a wrk request over: GET with Host only; the body is read as the server would. */
async function one(handler: FetchHandler): Promise<void> {
  const request = new Request('http://127.0.0.1:8000' + values.path, { headers: { host: '127.0.0.1:8000' } })
  // On Deno, as src/adapter/deno-serve.ts hands a served request over: its headers as the snapshot.
  if (snapshotHeaders) snapshotHeaders(request)
  const response = await handler(request, conn)
  await response.arrayBuffer()
}

async function round(handler: FetchHandler, requests: number): Promise<number> {
  let next = 0
  const worker = async () => {
    while (next++ < requests) await one(handler)
  }
  const before = process.cpuUsage()
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  // Let batched access-log writes and span exports of this round run inside the measurement.
  await new Promise((resolve) => setTimeout(resolve, 0))
  const used = process.cpuUsage(before)
  return (used.user + used.system) / requests
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const modes = values.modes!.split(',')
const handlers = new Map<string, FetchHandler>()
for (const mode of modes) handlers.set(mode, mode === 'passthrough' ? passthroughHandler() : mode === 'floor' ? floorHandler() : await edgewayHandler(mode))

// Warm-up (JIT), then rounds with the modes interleaved so drift on a shared box hits all alike.
for (const handler of handlers.values()) await round(handler, Math.min(REQUESTS, 10_000))
const results = new Map<string, number[]>(modes.map((m) => [m, []]))
const profiler = values.profile ? await startProfiler() : undefined
for (let r = 0; r < ROUNDS; r++) {
  for (const mode of r % 2 ? [...modes].reverse() : modes) results.get(mode)!.push(await round(handlers.get(mode)!, REQUESTS))
}
if (profiler) writeFileSync(values.profile!, JSON.stringify(await profiler()))
stopUpstream()

const base = results.has('passthrough') ? median(results.get('passthrough')!) : undefined
console.log(`upstream: ${values.upstream}, ${REQUESTS} requests × ${ROUNDS} rounds, ${IN_FLIGHT} in flight, ${runtime.name} ${runtime.version}`)
console.log('| mode | CPU µs/req (median) | min–max | above pass-through |')
console.log('|---|--:|--:|--:|')
for (const [mode, xs] of results) {
  const m = median(xs)
  console.log(`| ${mode} | ${m.toFixed(1)} | ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} | ${base === undefined || mode === 'passthrough' ? '—' : (m - base).toFixed(1)} |`)
}
process.exit(0)
