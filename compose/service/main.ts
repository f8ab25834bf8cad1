// Starts the sample service on Bun or Deno: `SERVICE_NAME=1 bun compose/service/main.ts`.
// Settings come from the environment (service-env.ts); prints `listening on <address>:<port>`.

import { lookup } from 'node:dns/promises'
import { hostname } from 'node:os'
import { detectRuntime } from '../../src/adapter/detect.ts'
import type { Runtime } from '../../src/runtime.ts'
import { systemClock } from '../../src/upstream/clock.ts'
import { buildServiceApp } from './app.ts'
import { readServiceSettings } from './service-env.ts'
import { toResponse } from '../../src/upstream/to-response.ts'

const runtime: Runtime = await detectRuntime()
const { settings, problems } = readServiceSettings(runtime.env)
if (!settings) {
  console.error(`sample service: bad environment\n  ${problems.join('\n  ')}`)
  runtime.exit(1)
}

const host = hostname()
const app = buildServiceApp({
  serviceName: settings.serviceName,
  hostname: host,
  replicaAddress: settings.replicaAddress ?? (await resolveOwnAddress(host, settings.address)),
  egressUrl: settings.egressUrl,
  // The runtime's upstream fetch ignores HTTP_PROXY-style variables, which must not reroute a loopback call.
  fetch: (request) =>
    runtime.upstreamFetch({ url: request.url, method: request.method, headers: request.headers, body: null, signal: request.signal }).then(toResponse),
  random: Math.random,
  clock: systemClock,
  errorRatePercent: settings.errorRatePercent,
  latencyMs: settings.latencyMs,
  egressTimeoutMs: settings.egressTimeoutMs,
})

const server = await runtime.serve(
  {
    hostname: settings.address,
    port: settings.port,
    // Longer than LATENCY_MS plus the downstream call, so a slow demo answer is not cut off.
    idleTimeoutSeconds: Math.min(255, Math.ceil((settings.latencyMs + settings.egressTimeoutMs) / 1000) + 5),
    maxRequestBodyBytes: 1024 * 1024,
    reusePort: false,
  },
  (request) => app.fetch(request),
)
console.log(`sample service ${settings.serviceName}: listening on ${settings.address}:${server.port}`)

let stopping = false
runtime.onShutdownSignal(async () => {
  if (stopping) return
  stopping = true
  await server.close()
  runtime.exit(0)
})

async function resolveOwnAddress(name: string, fallback: string): Promise<string> {
  try {
    return (await lookup(name, { family: 4 })).address
  } catch {
    return fallback
  }
}
