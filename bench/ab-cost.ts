// Two checkouts of edgeway in one process, measured trial by trial in turn: CPU µs per exchange of
// the HTTP/1.1 client (or per request of the untraced proxy in front of it), before and after a
// change. On a shared 2-core box one run's median moves by several µs with the load; alternating
// short trials in one process puts both sides under the same load, so a difference of a few tenths
// of a µs shows (an A/A run of one tree against itself agrees within ~0.2 µs at p25).
//
//   bun bench/ab-cost.ts --before <dir> [--after <dir>] [--what client|loopback|proxy]
//       [--signals recycled|shared] [--method GET|POST] [--trials 30] [--per 4000] [--in-flight 50] [--traced] [--logged]
//   --what whole: the proxy before a fake upstream answering as the shipped client hands over a small
//   whole-body answer (bench/handler-cost.ts --upstream whole): the request path's own JS, no socket
//   deno run -A --unstable-net bench/ab-cost.ts ...   (all three; proxy with each side's header snapshot, as deno-serve.ts)
//
// <dir>: a checkout (`git worktree add`, or `git archive <rev> | tar -x -C <dir>` with node_modules
// linked) that has bench/memory-transport.ts; --after defaults to this checkout.
// - client: the client over the in-memory transport (bench/memory-transport.ts): its JS alone;
// - loopback: the client against bench/upstream.ts in a child process (this runtime's transport);
// - proxy: the untraced listener handler on the bench config, its client on loopback (--traced: with
//   the bench's tracer, as bench/handler-cost.ts's traced mode); whole: the same before the fake.
// --signals recycled (default): each exchange takes an AbortController from a pool and hands it back,
// as the proxy's attempts do; shared: one signal for every exchange in flight.
// Bounded: trials × per exchanges on each side; loopback only. Process CPU (process.cpuUsage).

import { spawn } from 'node:child_process'
import { parseArgs } from 'node:util'
import { freePort, waitForPort } from './free-port.ts'

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string', default: new URL('..', import.meta.url).pathname },
    what: { type: 'string', default: 'client' },
    signals: { type: 'string', default: 'recycled' },
    method: { type: 'string', default: 'GET' },
    trials: { type: 'string', default: '30' },
    per: { type: 'string', default: '4000' },
    'in-flight': { type: 'string', default: '50' },
    // proxy only: with the bench's tracer (100 % sampled, spans encoded and stringified, never sent).
    traced: { type: 'boolean', default: false },
    // proxy and whole: with the shipped access log (text to stdout, here /dev/null through FdSink, as listener-handler.ts gives it).
    logged: { type: 'boolean', default: false },
  },
})
if (!values.before) throw new Error('--before <dir> is required')
const TRIALS = Number(values.trials)
const PER = Number(values.per)
const IN_FLIGHT = Number(values['in-flight'])
const deno = 'Deno' in globalThis

let child: ReturnType<typeof spawn> | undefined
let port = 9
if (values.what !== 'client' && values.what !== 'whole') {
  port = await freePort()
  const bun = deno ? new URL('../node_modules/.bin/bun', import.meta.url).pathname : process.execPath
  child = spawn(bun, [new URL('./upstream.ts', import.meta.url).pathname], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' })
  await waitForPort(port, 10_000, () => child!.exitCode === null)
}

type Send = (signal: AbortSignal) => Promise<Response>
/** As a cluster endpoint's (the pool knows the URL's endpoint), counting nothing. */
const connections = { tryOpen: () => true, connected() {}, closed() {}, tryQueue: () => true, dequeued() {}, received() {}, sent() {}, connectFailed() {} }
const body = values.method === 'POST' ? new Uint8Array(64).fill(120) : null
const upstreamHeaders = () =>
  new Headers({ host: '127.0.0.1:8000', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-request-id': crypto.randomUUID(), 'x-envoy-expected-rq-timeout-ms': '15000' })

async function sender(root: string): Promise<Send> {
  const at = (path: string) => import(`${root}/${path}`)
  let fetch
  if (values.what === 'client') fetch = (await at('bench/memory-transport.ts')).memoryClient.fetch
  else if (values.what === 'whole') fetch = await wholeFetch(at)
  else {
    const dial = deno ? (await at('src/adapter/deno-transport.ts')).denoDial : (await at('src/adapter/bun-transport.ts')).bunDial
    fetch = (await at('src/http1/client.ts')).createHttp1Client({ dial }).fetch
  }
  const url = `http://127.0.0.1:${port}/service/1`
  // With its path apart, as the proxy's attempt hands it over (a checkout whose client ignores it cuts it from the URL).
  if (values.what !== 'proxy' && values.what !== 'whole') return (signal) => fetch({ url, path: '/service/1', method: values.method, headers: upstreamHeaders(), body, signal, connections })
  const { benchTracer, listenerHandler } = await at('bench/listener-handler.ts')
  const { edgewayConfig } = await at('bench/peers/edgeway.ts')
  const runtime = await (await at('src/adapter/detect.ts')).detectRuntime()
  const yaml = edgewayConfig('bench', { listenerPort: 0, adminPort: 0, upstreamPort: port, collectorPort: values.traced ? 9 : undefined, accessLog: values.logged })
  const handler = await listenerHandler(yaml, { ...runtime, upstreamFetch: fetch }, values.traced ? benchTracer : undefined)
  const conn = { remoteAddress: '127.0.0.1', remotePort: 40000 }
  // On Deno each side's own serve-adapter step: the request's headers as that side's snapshot.
  const snapshot: ((request: Request) => void) | undefined = deno ? (await at('src/adapter/deno-request-headers.ts')).snapshotHeaders : undefined
  return () => {
    const request = new Request('http://127.0.0.1:8000/service/1', { method: values.method, headers: { host: '127.0.0.1:8000' }, body })
    snapshot?.(request)
    return handler(request, conn)
  }
}

/** As bench/handler-cost.ts's `whole` upstream, from that side's own modules: the answer made at once, body and head together. */
async function wholeFetch(at: (path: string) => Promise<any>): Promise<() => Promise<Response>> {
  const { wholeBodyResponse } = await at('src/upstream/whole-body.ts')
  const { marksHopByHopFree } = await at('src/upstream/hop-by-hop-free.ts')
  const small = new TextEncoder().encode('edgeway bench upstream: a small fixed body, about ninety bytes long, for req/s runs......\n')
  const headers = { 'content-type': 'text/plain;charset=utf-8', 'content-length': String(small.byteLength), date: 'Mon, 07 Dec 2026 01:00:00 GMT' }
  return async () => {
    const response = wholeBodyResponse(small, { headers })
    marksHopByHopFree(response)
    return response
  }
}

const spare: AbortController[] = []
const shared = new AbortController()
async function trial(send: Send, n: number): Promise<number> {
  let next = 0
  const worker = async () => {
    while (next++ < n) {
      const controller = values.signals === 'shared' ? shared : (spare.pop() ?? new AbortController())
      await (await send(controller.signal)).arrayBuffer()
      if (controller !== shared) spare.push(controller)
    }
  }
  const before = process.cpuUsage()
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const used = process.cpuUsage(before)
  return (used.user + used.system) / n
}

const sides = { before: await sender(values.before), after: await sender(values.after!) }
for (const send of Object.values(sides)) await trial(send, 10_000)
const results = { before: [] as number[], after: [] as number[] }
for (let i = 0; i < TRIALS; i++) {
  for (const side of i % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const)) results[side].push(await trial(sides[side], PER))
}
child?.kill('SIGTERM')
const at = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)]!
console.log(`${values.what}, ${values.method}, signals ${values.signals}: ${TRIALS} trials × ${PER} on each side, ${IN_FLIGHT} in flight`)
console.log('| side | min | p25 | median µs |')
console.log('|---|--:|--:|--:|')
for (const [side, xs] of Object.entries(results)) console.log(`| ${side} | ${at(xs, 0).toFixed(2)} | ${at(xs, 0.25).toFixed(2)} | ${at(xs, 0.5).toFixed(2)} |`)
process.exit(0)
