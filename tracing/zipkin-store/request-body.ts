// Reads a POSTed span batch as text, undoing `content-encoding: gzip` and enforcing a size cap.

export type BodyResult = { ok: true; text: string } | { ok: false; status: 400 | 413 | 415; reason: string }

export async function readSpanBody(request: Request, maxBodyBytes: number): Promise<BodyResult> {
  const contentType = request.headers.get('content-type') ?? ''
  if (/protobuf|thrift/i.test(contentType)) {
    return { ok: false, status: 415, reason: `unsupported content-type ${contentType}: only JSON v2 spans are accepted` }
  }
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase()
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return { ok: false, status: 415, reason: `unsupported content-encoding ${encoding}` }
  }
  const raw = new Uint8Array(await request.arrayBuffer())
  if (raw.byteLength > maxBodyBytes) return { ok: false, status: 413, reason: `body exceeds ${maxBodyBytes} bytes` }
  if (encoding === 'identity') return { ok: true, text: new TextDecoder().decode(raw) }
  try {
    const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'))
    const decoded = new Uint8Array(await new Response(stream).arrayBuffer())
    if (decoded.byteLength > maxBodyBytes) {
      return { ok: false, status: 413, reason: `decompressed body exceeds ${maxBodyBytes} bytes` }
    }
    return { ok: true, text: new TextDecoder().decode(decoded) }
  } catch {
    return { ok: false, status: 400, reason: 'body is not valid gzip' }
  }
}
