// The runtime's own ceiling, as a reference peer: the smallest proxy Bun can run (Bun.serve and
// fetch, headers copied, nothing else: no routing, retries, stats, logs or tracing). The gap
// between this and nginx is Bun's; the gap between edgeway and this is edgeway's.
// Run as `bun bench/minimal-proxy.ts` with PORT and UPSTREAM_PORT set.

const upstream = `http://127.0.0.1:${Number(process.env.UPSTREAM_PORT)}`

async function proxy(request: Request): Promise<Response> {
  const url = new URL(request.url)
  const response = await fetch(upstream + url.pathname + url.search, {
    method: request.method,
    headers: request.headers,
    decompress: false,
    keepalive: true,
  } as RequestInit)
  return new Response(response.body, { status: response.status, headers: new Headers(response.headers) })
}

export default {
  hostname: '127.0.0.1',
  port: Number(process.env.PORT),
  development: false,
  idleTimeout: 120,
  fetch: proxy,
}
