// The bench upstream: a ~90-byte body on /service/1 and 1 MiB on /service/1/big, loopback only.
// Run as `bun bench/upstream.ts` with PORT set; Bun serves a default-exported { fetch } by itself.

const SMALL = 'edgeway bench upstream: a small fixed body, about ninety bytes long, for req/s runs......\n'
const BIG = new Uint8Array(1024 * 1024).fill(0x78)

function respond(request: Request): Response {
  const path = new URL(request.url).pathname
  if (path === '/service/1/big') return new Response(BIG, { headers: { 'content-type': 'application/octet-stream' } })
  if (path.startsWith('/service/1')) return new Response(SMALL, { headers: { 'content-type': 'text/plain' } })
  return new Response('not found\n', { status: 404 })
}

export default {
  hostname: '127.0.0.1',
  port: Number(process.env.PORT),
  development: false,
  // wrk keeps connections open between runs; the default 10 s would close them mid-pause.
  idleTimeout: 120,
  fetch: respond,
}
