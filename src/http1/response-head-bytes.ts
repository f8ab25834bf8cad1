// A response head as bytes, written straight from the Response's status and Headers into fresh
// space of a shared slab, as head-bytes.ts writes request heads (its comment says why: no head
// string to build and flatten, no ArrayBuffer per head). The fields go out as Headers.forEach hands
// them (lower-cased names, Set-Cookie lines apart), framing fields dropped, then the fields only the
// writer knows: Date when absent, Connection: keep-alive for an HTTP/1.0 client that asked, and the
// framing. What follows the head in the same write (a small body, a first chunk) goes in the
// slab right behind it.

import { dateLine } from './date-field.ts'
import { statusLine } from './status-line.ts'

/**
 * How the writer walks a response's fields: `visit(value, name)` per field, lower-cased names,
 * Set-Cookie lines apart, repeats of other names joined as Headers joins them. The default is
 * Headers.forEach, whose order the Fetch standard sorts by name; a runtime adapter may hand one
 * that keeps the order the fields were set in, as its own server writes them (src/adapter/
 * bun-response-fields.ts), which is the order the path arranges (edited fields stay in place).
 */
export type FieldWalk = (headers: Headers, visit: (value: string, name: string) => void) => void

export const forEachField: FieldWalk = (headers, visit) => headers.forEach(visit)

/** `framing` values besides a Content-Length (>= 0). */
export const NO_FRAMING = -1 // no framing field: 1xx, 204, 304, a HEAD or 304 keeping its own length, a close-delimited body
export const CHUNKED = -2

const SLAB_BYTES = 64 * 1024
let slab = new Uint8Array(SLAB_BYTES)
let start = 0
let at = 0

/** The head composeResponseHead wrote last: bytes `[start, end)` of `slab`, valid until the next one is made. */
export const composed: { slab: Uint8Array; start: number; end: number } = { slab, start: 0, end: 0 }

/** What the walk over the Headers found, for the keep-alive verdict (set by composeResponseHead). */
export const walked = { connection: null as string | null, contentLength: null as string | null }

// The walk's state: module-level so forEach's callback is one function, not a closure per head.
let keepLength = false
let sawDate = false
let connection: string | null = null
let contentLength: string | null = null

function makeRoom(n: number): void {
  const sofar = at - start
  const next = new Uint8Array(Math.max(SLAB_BYTES, 2 * (sofar + n)))
  next.set(slab.subarray(start, at))
  slab = next
  start = 0
  at = sofar
}

/** One byte per character: RangeError above U+00FF (a Headers value is a ByteString; a header-like object may not be). */
function put(text: string): void {
  const n = text.length
  if (at + n > slab.byteLength) makeRoom(n)
  const bytes = slab
  let o = at
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i)
    if (code > 0xff) throw new RangeError(`character U+${code.toString(16).padStart(4, '0')} has no single-byte form`)
    bytes[o++] = code
  }
  at = o
}

function putBytes(bytes: Uint8Array): void {
  if (at + bytes.byteLength > slab.byteLength) makeRoom(bytes.byteLength)
  slab.set(bytes, at)
  at += bytes.byteLength
}

function putCrlf(): void {
  if (at + 2 > slab.byteLength) makeRoom(2)
  slab[at++] = 13
  slab[at++] = 10
}

function putField(value: string, name: string): void {
  // The writer frames the body itself; a length is kept only where it describes a body not sent (HEAD, 304).
  if (name === 'transfer-encoding') return
  if (name === 'content-length') {
    contentLength = value
    if (!keepLength) return
  } else if (name === 'date') sawDate = true
  else if (name === 'connection') connection = connection === null ? value : `${connection}, ${value}`
  put(name)
  put(': ')
  put(value)
  putCrlf()
}

/**
 * Writes the head of a response into the slab (`composed`), with `then` behind it.
 * `keep`: keep the Headers' own Content-Length (HEAD, 304) and then write no framing field of the
 * writer's when there was one. `framing`: a Content-Length, CHUNKED or NO_FRAMING.
 * `walk`: how the fields are visited (FieldWalk). `echoKeepAlive`: an HTTP/1.0 request asked to keep the connection; written unless the
 * response has a Connection field of its own. `chunk`: `then` is the body's first chunk, framed as one.
 */
export function composeResponseHead(status: number, headers: Headers, keep: boolean, framing: number, echoKeepAlive: boolean, then: Uint8Array | null, chunk = false, walk: FieldWalk = forEachField): void {
  start = at
  keepLength = keep
  sawDate = false
  connection = null
  contentLength = null
  try {
    putBytes(statusLine(status))
    if (walk === forEachField) headers.forEach(putField)
    else walk(headers, putField)
    if (!sawDate) putBytes(dateLine())
    if (echoKeepAlive && connection === null) put('Connection: keep-alive\r\n')
    if (keep && contentLength !== null) {
      // the Headers' own length stands
    } else if (framing >= 0) {
      put('Content-Length: ')
      put(String(framing))
      putCrlf()
    } else if (framing === CHUNKED) put('Transfer-Encoding: chunked\r\n')
    putCrlf()
    if (then !== null) {
      if (chunk) putChunkLine(then.byteLength)
      putBytes(then)
      if (chunk) putCrlf()
    }
  } catch (error) {
    at = start
    throw error
  }
  walked.connection = connection
  walked.contentLength = contentLength
  composed.slab = slab
  composed.start = start
  composed.end = at
  start = at
}

function putChunkLine(size: number): void {
  put(size.toString(16))
  putCrlf()
}

/** As rangeWritten in head-bytes.ts: the last head went to a transport that kept no reference, so its space is free again. */
export function responseRangeWritten(bytes: Uint8Array, from: number, end: number): void {
  if (bytes === slab && end === at) start = at = from
}
