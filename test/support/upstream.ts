// A controllable upstream on a loopback address: echoes what it received as JSON (or runs a
// scripted handler), counts requests, and serves through the same runtime adapter as edgeway.

import { detectRuntime } from '../../src/adapter/detect.ts'
import type { ServerHandle } from '../../src/runtime.ts'

export type ReceivedRequest = { method: string; path: string; headers: Record<string, string>; body: string }

export type Upstream = {
  readonly address: string
  readonly port: number
  readonly url: string
  readonly received: ReceivedRequest[]
  stop(): Promise<void>
}

export type UpstreamHandler = (request: Request, received: ReceivedRequest) => Response | Promise<Response>

/** Echo: 200 with JSON `{ name, method, path, headers, body }`. */
export const echo =
  (name: string): UpstreamHandler =>
  (_request, received) =>
    Response.json({ name, ...received }, { headers: { 'x-upstream': name } })

/** `http2`: also prior-knowledge h2c, as an Envoy sidecar accepts from clusters with http2_protocol_options. */
export async function startUpstream(options: { address?: string; port?: number; handler?: UpstreamHandler; name?: string; http2?: boolean } = {}): Promise<Upstream> {
  const runtime = await detectRuntime()
  const address = options.address ?? '127.0.0.1'
  const handler = options.handler ?? echo(options.name ?? address)
  const received: ReceivedRequest[] = []
  const handle: ServerHandle = await runtime.serve(
    { hostname: address, port: options.port ?? 0, idleTimeoutSeconds: 30, maxRequestBodyBytes: 0, reusePort: false, ...(options.http2 && { protocols: { http1: true, http2: true, http3: false } }) },
    async (request) => {
      const url = new URL(request.url)
      const entry: ReceivedRequest = {
        method: request.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(request.headers),
        body: request.body ? await request.text() : '',
      }
      received.push(entry)
      return handler(request, entry)
    },
  )
  return { address, port: handle.port, url: `http://${address}:${handle.port}`, received, stop: () => handle.close(true) }
}
