// Serialises an HTTP/1.1 request head and frames its body (content-length or chunked) as bytes,
// so the socket glue only moves Uint8Arrays. Runtime-neutral: no sockets here.

import { Buffer } from 'node:buffer'

const encoder = new TextEncoder()

/** How the body after the head is delimited on the wire. */
export type BodyFraming = { readonly kind: 'none' } | { readonly kind: 'length'; readonly length: number } | { readonly kind: 'chunked' }

/** Framing headers are ours to write: the caller's would contradict the body we actually send. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive'])

/**
 * `target` is the origin-form path (with query). `host` is used only when `headers` has none:
 * a host rewrite or the downstream authority is sent as given.
 */
export function encodeRequestHead(method: string, target: string, host: string, headers: Headers, framing: BodyFraming): Uint8Array {
  let head = `${method} ${target} HTTP/1.1\r\n`
  if (!headers.has('host')) head += `host: ${host}\r\n`
  // forEach, not for-of: no iterator and pair arrays per header (measurably cheaper per request).
  headers.forEach((value, name) => {
    if (!FRAMING.has(name)) head += `${name}: ${value}\r\n`
  })
  if (framing.kind === 'length') head += `content-length: ${framing.length}\r\n`
  else if (framing.kind === 'chunked') head += 'transfer-encoding: chunked\r\n'
  // A bodiless POST/PUT still says so: some servers wait for a body otherwise.
  else if (method === 'POST' || method === 'PUT' || method === 'PATCH') head += 'content-length: 0\r\n'
  head += '\r\n'
  return encodeLatin1(head)
}

/** One chunk of a chunked body: `<hex size>\r\n<bytes>\r\n`. Empty input yields nothing. */
export function encodeChunk(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength === 0) return bytes
  const prefix = `${bytes.byteLength.toString(16)}\r\n`
  const out = new Uint8Array(prefix.length + bytes.byteLength + 2)
  for (let i = 0; i < prefix.length; i++) out[i] = prefix.charCodeAt(i)
  out.set(bytes, prefix.length)
  out[out.length - 2] = 13
  out[out.length - 1] = 10
  return out
}

/** The zero-size chunk that ends a chunked body (no trailers). */
export const LAST_CHUNK = encoder.encode('0\r\n\r\n')

/** Header values are ByteStrings (Headers guarantees code points <= 0xFF): one byte each. */
function encodeLatin1(text: string): Uint8Array {
  return Buffer.from(text, 'latin1')
}

/** Joins two byte arrays so a small request goes out in one write. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a, 0)
  out.set(b, a.byteLength)
  return out
}
