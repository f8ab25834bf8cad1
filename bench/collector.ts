// A minimal Zipkin v2 sink for the traced bench: counts spans per localEndpoint.serviceName, answers 202.
// GET /counts returns { [serviceName]: spans } so the harness can compare spans with requests served.
//
// It shares the box's cores with the proxy under test, so it counts without parsing when it can: a
// full JSON.parse of every batch cost the traced rows ~5 µs of CPU a request (bench/README.md,
// tracing, third round). In JSON text the key sequence `"localEndpoint":{"serviceName":"` cannot
// occur inside a string (quotes in strings are escaped), so each occurrence is one span's; every
// span also has exactly one `"traceId":` key. When the two counts disagree (a tag named traceId,
// another encoder's key order) or the body is not an array, the batch is parsed in full instead.

const counts = new Map<string, number>()
const SERVICE_KEY = Buffer.from('"localEndpoint":{"serviceName":"')
const TRACE_ID_KEY = Buffer.from('"traceId":')
const QUOTE = 0x22
const BACKSLASH = 0x5c

async function receive(request: Request): Promise<Response> {
  const url = new URL(request.url)
  if (request.method === 'GET' && url.pathname === '/counts') return Response.json(Object.fromEntries(counts))
  if (request.method !== 'POST' || url.pathname !== '/api/v2/spans') return new Response('not found\n', { status: 404 })
  // Bytes, not text: the scan needs no decoding of the whole batch (half of what it saves).
  const body = Buffer.from(await request.arrayBuffer())
  const scanned = scanServices(body)
  if (scanned) {
    for (const [service, n] of scanned) counts.set(service, (counts.get(service) ?? 0) + n)
    return new Response(null, { status: 202 })
  }
  let spans: unknown
  try {
    spans = JSON.parse(body.toString('utf8'))
  } catch {
    return new Response('expected a JSON array of spans\n', { status: 400 })
  }
  if (!Array.isArray(spans)) return new Response('expected a JSON array of spans\n', { status: 400 })
  for (const span of spans as { localEndpoint?: { serviceName?: string } }[]) {
    const service = span.localEndpoint?.serviceName ?? ''
    counts.set(service, (counts.get(service) ?? 0) + 1)
  }
  return new Response(null, { status: 202 })
}

/** Spans per service found by the key scan of a JSON body, or undefined when the scan cannot be trusted for it. */
export function scanServices(body: Buffer): Map<string, number> | undefined {
  const last = body.length - 1
  if (body[0] !== 0x5b || body[last] !== 0x5d) return undefined // '[' ... ']', no whitespace: edgeway's encoder
  const found = new Map<string, number>()
  let spans = 0
  for (let at = body.indexOf(SERVICE_KEY); at >= 0; at = body.indexOf(SERVICE_KEY, at + SERVICE_KEY.length)) {
    const from = at + SERVICE_KEY.length
    const to = body.indexOf(QUOTE, from)
    // An escaped name (a backslash in it) is left to the full parse.
    if (to < 0 || body.subarray(from, to).includes(BACKSLASH)) return undefined
    const service = body.toString('utf8', from, to)
    found.set(service, (found.get(service) ?? 0) + 1)
    spans++
  }
  let traceIds = 0
  for (let at = body.indexOf(TRACE_ID_KEY); at >= 0; at = body.indexOf(TRACE_ID_KEY, at + TRACE_ID_KEY.length)) traceIds++
  return traceIds === spans && (spans > 0 || body.length === 2) ? found : undefined
}

export default {
  hostname: '127.0.0.1',
  port: Number(process.env.PORT),
  development: false,
  idleTimeout: 120,
  fetch: receive,
}
