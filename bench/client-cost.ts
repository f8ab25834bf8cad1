// In-process micro-bench of the upstream client alone: CPU µs per exchange of the shipped
// HTTP/1.1 client (the runtime's upstreamFetch: src/http1/ on its adapter's transport) against
// bench/upstream.ts in a child process, beside the runtime's own fetch to the same upstream. No
// server, router or proxy: a request goes out, its body is read whole, the next one follows.
//
//   bun bench/client-cost.ts [--path /service/1|/service/1/big] [--requests N] [--rounds R] [--modes client,fetch]
//   deno run -A --unstable-net bench/client-cost.ts ...   (the upstream still runs on Bun)
//   --modes memory: the same client over an in-memory transport (bench/memory-transport.ts), its JS alone
//   --profile <file.cpuprofile>: a V8 CPU profile of the measured rounds (node:inspector)
//
// Bounded: R rounds of N requests, --in-flight at once (50, as wrk -c50); loopback only.
// Process CPU (process.cpuUsage: every thread of this process) ÷ requests, median over rounds.

import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startProfiler } from './cpu-profiler.ts'
import { detectRuntime } from '../src/adapter/detect.ts'
import type { UpstreamFetch } from '../src/runtime.ts'
import { freePort, waitForPort } from './free-port.ts'
import { memoryClient } from './memory-transport.ts'

const { values } = parseArgs({
  options: {
    path: { type: 'string', default: '/service/1' },
    requests: { type: 'string', default: '40000' },
    rounds: { type: 'string', default: '5' },
    'in-flight': { type: 'string', default: '50' },
    modes: { type: 'string', default: 'client,fetch' },
    profile: { type: 'string' },
  },
})
const REQUESTS = Number(values.requests)
const ROUNDS = Number(values.rounds)
const IN_FLIGHT = Number(values['in-flight'])

const runtime = await detectRuntime()
const port = await freePort()
const bun = runtime.name === 'bun' ? process.execPath : new URL('../node_modules/.bin/bun', import.meta.url).pathname
const child = spawn(bun, [new URL('./upstream.ts', import.meta.url).pathname], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' })
await waitForPort(port, 10_000, () => child.exitCode === null)
const url = `http://127.0.0.1:${port}${values.path}`

// What the proxy sends for a wrk request (bench/peers/edgeway.ts's route): host and the headers it adds.
const headers = () =>
  new Headers({
    host: '127.0.0.1:8000',
    'x-forwarded-for': '127.0.0.1',
    'x-forwarded-proto': 'http',
    'x-request-id': crypto.randomUUID(),
    'x-envoy-expected-rq-timeout-ms': '15000',
  })
const signal = new AbortController().signal
const client: UpstreamFetch = runtime.upstreamFetch

const exchanges: Record<string, () => Promise<Response>> = {
  client: () => client({ url, method: 'GET', headers: headers(), body: null, signal }) as Promise<Response>, // the default client (no byte listener switch) makes Responses
  fetch: () => fetch(url, { method: 'GET', headers: headers(), signal }),
  memory: () => memoryClient.fetch({ url, method: 'GET', headers: headers(), body: null, signal }),
}

/** System CPU µs per exchange of each round, beside the total (the kernel's share: syscalls, loopback TCP). */
const system = new Map<string, number[]>()

async function round(send: () => Promise<Response>, requests: number, mode?: string): Promise<number> {
  let next = 0
  const worker = async () => {
    while (next++ < requests) await (await send()).arrayBuffer()
  }
  const before = process.cpuUsage()
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const used = process.cpuUsage(before)
  if (mode) system.get(mode)!.push(used.system / requests)
  return (used.user + used.system) / requests
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const modes = values.modes!.split(',')
for (const mode of modes) await round(exchanges[mode]!, Math.min(REQUESTS, 5_000))
const results = new Map<string, number[]>(modes.map((m) => [m, []]))
for (const mode of modes) system.set(mode, [])
const profiler = values.profile ? await startProfiler() : undefined
for (let r = 0; r < ROUNDS; r++) {
  for (const mode of r % 2 ? [...modes].reverse() : modes) results.get(mode)!.push(await round(exchanges[mode]!, REQUESTS, mode))
}
if (profiler) writeFileSync(values.profile!, JSON.stringify(await profiler()))
child.kill('SIGTERM')

console.log(`${values.path}: ${REQUESTS} requests × ${ROUNDS} rounds, ${IN_FLIGHT} in flight, ${runtime.name} ${runtime.version}`)
console.log('| mode | CPU µs/exchange (median) | min–max | of it system |')
console.log('|---|--:|--:|--:|')
for (const [mode, xs] of results) console.log(`| ${mode} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} | ${median(system.get(mode)!).toFixed(1)} |`)
process.exit(0)
