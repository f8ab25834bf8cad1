// The sample service behind each sidecar (the counterpart of Envoy's sandbox service.py): a hello
// line per replica, /trace/1 calling service 2 through the egress sidecar, and injectable faults.

import { Hono } from 'hono'
import type { Clock } from '../../src/upstream/clock.ts'

/** Headers a service must copy from its request to its own upstream call so the trace stays one trace. */
export const TRACE_HEADERS = [
  'x-request-id',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'b3',
  'x-ot-span-context',
] as const

export type ServiceDeps = {
  /** SERVICE_NAME: "1" or "2"; service 1 calls service 2 on /trace. */
  readonly serviceName: string
  /** This replica's host name (os.hostname() in production). */
  readonly hostname: string
  /** The replica's address, shown as `resolvedhostname`. */
  readonly replicaAddress: string
  /** Base URL of the egress sidecar listener, e.g. http://127.0.0.1:9000. */
  readonly egressUrl: string
  readonly fetch: (request: Request) => Promise<Response>
  /** Uniform in [0, 1); decides which requests fail. */
  readonly random: () => number
  readonly clock: Clock
  /** Percent of /service and /trace requests answered 500 (0-100). */
  readonly errorRatePercent: number
  /** Delay before answering /service and /trace. */
  readonly latencyMs: number
  /** Give up on the downstream service after this long. */
  readonly egressTimeoutMs: number
}

// Flask answered text/html; clients of the Envoy sandbox see the same header.
const CONTENT_TYPE = { 'content-type': 'text/html; charset=utf-8' }

export function buildServiceApp(deps: ServiceDeps): Hono {
  const app = new Hono()
  const hello = `Hello from behind edgeway (service ${deps.serviceName})! hostname: ${deps.hostname} resolvedhostname: ${deps.replicaAddress}\n`

  app.get('/healthz', (c) => c.text('ok'))

  // Faults apply to the demo routes only, so health checks keep telling the truth about liveness.
  const faults = async (): Promise<Response | undefined> => {
    if (deps.latencyMs > 0) await sleep(deps.clock, deps.latencyMs)
    if (deps.random() * 100 < deps.errorRatePercent) {
      const nonce = Math.floor(deps.random() * 2 ** 32)
      return new Response(`Service ${deps.serviceName}: Ooops... nonce ${nonce}\n`, { status: 500, headers: CONTENT_TYPE })
    }
    return undefined
  }

  app.get('/service/:n', async (c) => (await faults()) ?? c.body(hello, 200, CONTENT_TYPE))

  app.get('/trace/:n', async (c) => {
    const fault = await faults()
    if (fault) return fault
    if (deps.serviceName !== '1') return c.body(hello, 200, CONTENT_TYPE)
    const headers = new Headers()
    for (const name of TRACE_HEADERS) {
      const value = c.req.header(name)
      if (value !== undefined) headers.set(name, value)
    }
    const downstream = await callDownstream(deps, new Request(new URL('/trace/2', deps.egressUrl), { headers }))
    if (downstream === 'ok') return c.body(hello, 200, CONTENT_TYPE)
    return c.body(`${hello}service 2 failed: ${downstream}\n`, 503, CONTENT_TYPE)
  })

  return app
}

/** 'ok', or why the call to service 2 failed (its status, or the error). */
async function callDownstream(deps: ServiceDeps, request: Request): Promise<string> {
  const controller = new AbortController()
  const timer = deps.clock.setTimeout(() => controller.abort(), deps.egressTimeoutMs)
  try {
    const response = await deps.fetch(new Request(request, { signal: controller.signal }))
    // Drain so the connection to the sidecar can be reused.
    await response.arrayBuffer()
    return response.ok ? 'ok' : `status ${response.status}`
  } catch (error) {
    return controller.signal.aborted ? `timeout after ${deps.egressTimeoutMs}ms` : `error ${(error as Error).message}`
  } finally {
    deps.clock.clearTimeout(timer)
  }
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms))
}
