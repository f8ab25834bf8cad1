// A minimal Zipkin v2 sink for the traced bench: counts spans per localEndpoint.serviceName, answers 202.
// GET /counts returns { [serviceName]: spans } so the harness can compare spans with requests served.

const counts = new Map<string, number>()

async function receive(request: Request): Promise<Response> {
  const url = new URL(request.url)
  if (request.method === 'GET' && url.pathname === '/counts') return Response.json(Object.fromEntries(counts))
  if (request.method !== 'POST' || url.pathname !== '/api/v2/spans') return new Response('not found\n', { status: 404 })
  const spans: unknown = await request.json()
  if (!Array.isArray(spans)) return new Response('expected a JSON array of spans\n', { status: 400 })
  for (const span of spans as { localEndpoint?: { serviceName?: string } }[]) {
    const service = span.localEndpoint?.serviceName ?? ''
    counts.set(service, (counts.get(service) ?? 0) + 1)
  }
  return new Response(null, { status: 202 })
}

export default {
  hostname: '127.0.0.1',
  port: Number(process.env.PORT),
  development: false,
  idleTimeout: 120,
  fetch: receive,
}
