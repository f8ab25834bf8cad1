// Reads a POSTed span batch as text, undoing `content-encoding: gzip`, with one size cap on the
// bytes received and on the bytes inflated. Both are counted as they stream, so a gzip bomb
// (1 MB that inflates to 1 GiB) costs at most the cap in memory and stops with 413.

import { createGunzip, type Gunzip } from 'node:zlib'

export type BodyResult = { ok: true; text: string } | { ok: false; status: 400 | 413 | 415; reason: string }

// Output is produced in pieces this size, so memory overshoots the cap by at most one of them.
// (Deno's DecompressionStream inflates a whole input chunk at once: 1 GiB for a 1 MB chunk.)
const INFLATE_CHUNK_BYTES = 64 * 1024

export async function readSpanBody(request: Request, maxBodyBytes: number): Promise<BodyResult> {
  const contentType = request.headers.get('content-type') ?? ''
  if (/protobuf|thrift/i.test(contentType)) {
    return { ok: false, status: 415, reason: `unsupported content-type ${contentType}: only JSON v2 spans are accepted` }
  }
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase()
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return { ok: false, status: 415, reason: `unsupported content-encoding ${encoding}` }
  }
  const tooLarge = (what: string): BodyResult => ({ ok: false, status: 413, reason: `${what} exceeds ${maxBodyBytes} bytes` })
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBodyBytes) return tooLarge('body')
  if (!request.body) return { ok: true, text: '' }
  if (encoding === 'identity') {
    const raw = await readCapped(request.body, maxBodyBytes)
    return raw === undefined ? tooLarge('body') : { ok: true, text: new TextDecoder().decode(raw) }
  }
  const inflated = await gunzipCapped(request.body, maxBodyBytes)
  if (inflated === 'body' || inflated === 'decompressed body') return tooLarge(inflated)
  if (inflated === 'invalid') return { ok: false, status: 400, reason: 'body is not valid gzip' }
  return { ok: true, text: new TextDecoder().decode(inflated) }
}

/** The whole stream, or undefined (and the stream cancelled) once it passes `max` bytes. */
async function readCapped(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return concat(chunks, total)
    total += value.byteLength
    if (total > max) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(value)
  }
}

type Inflated = Uint8Array | 'body' | 'decompressed body' | 'invalid'

/** Inflates as the body arrives; stops reading and inflating at the first byte past `max`. */
function gunzipCapped(stream: ReadableStream<Uint8Array>, max: number): Promise<Inflated> {
  const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK_BYTES })
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let inflatedBytes = 0
  let settled = false
  return new Promise<Inflated>((resolve) => {
    const finish = (result: Inflated) => {
      if (settled) return
      settled = true
      gunzip.destroy()
      reader.cancel().catch(() => {})
      resolve(result)
    }
    gunzip.on('data', (chunk: Uint8Array) => {
      inflatedBytes += chunk.byteLength
      if (inflatedBytes > max) return finish('decompressed body')
      chunks.push(chunk)
    })
    gunzip.on('error', () => finish('invalid'))
    gunzip.on('end', () => {
      if (settled) return
      settled = true
      resolve(concat(chunks, inflatedBytes))
    })
    feed(reader, gunzip, max, () => settled).then(
      (fed) => {
        if (fed === 'body') finish('body')
      },
      () => finish('invalid'),
    )
  })
}

/**
 * Writes the body into the inflater one chunk at a time, each only once the previous one is
 * inflated, so reading stops soon after the cap is hit and inflated data never piles up.
 */
async function feed(reader: ReadableStreamDefaultReader<Uint8Array>, gunzip: Gunzip, max: number, stopped: () => boolean): Promise<'fed' | 'body'> {
  let received = 0
  for (;;) {
    if (stopped()) return 'fed'
    const { done, value } = await reader.read()
    if (stopped()) return 'fed'
    if (done) {
      gunzip.end()
      return 'fed'
    }
    received += value.byteLength
    if (received > max) return 'body'
    await new Promise<void>((resolve) => {
      const resume = () => {
        gunzip.off('close', resume)
        resolve()
      }
      // A destroyed inflater may never call back; 'close' resumes the loop, which then stops.
      gunzip.on('close', resume)
      gunzip.write(value, resume)
    })
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
