// One upstream call through Bun's fetch, for plain and TLS clusters alike.

import type { UpstreamRequest } from '../runtime.ts'

export function bunFetch(url: string, request: UpstreamRequest, tls?: object): Promise<Response> {
  return fetch(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    redirect: 'manual',
    // Pass gzip bodies through byte for byte, and never let an HTTP_PROXY variable reroute traffic.
    decompress: false,
    proxy: '',
    keepalive: true,
    ...(tls && { tls }),
    ...(request.body && { duplex: 'half' }),
  } as RequestInit)
}
