// The request head as bytes, written straight from its pieces into fresh space of a shared slab:
// the same bytes as encodeLatin1(requestHead(...)) (codec.ts, the reference; head-bytes.test.ts
// compares the two), without building the head as a string first. Building and encoding cost
// twice: the concatenated string is flattened by the encoder, and the encoder allocates a fresh
// ArrayBuffer per head, which on Deno costs ~350 ns by itself (Bun ~45). The slab is carved as
// the transports' read loops carve theirs: a head's bytes are never overwritten, so a transport
// may keep the view until its write completes, and a new slab replaces a full one.

import type { SplitFields } from '../runtime.ts'
import type { RequestFraming } from './codec.ts'

/** The fields written after the Headers' own (runtime.ts SplitFields: the proxy's, names the Headers do not hold). */
export type FieldBlock = Pick<SplitFields, 'prepared' | 'pairs'>

const SLAB_BYTES = 64 * 1024

let slab = new Uint8Array(SLAB_BYTES)
/** Where the head being written starts, and the next byte to write. */
let start = 0
let at = 0
/**
 * The last head composeRequestHead wrote: bytes `[start, end)` of `slab`, valid until the next head
 * is made (a writer reads it at once, in the same turn; see request-writer.ts).
 */
export const composed: { slab: Uint8Array; start: number; end: number } = { slab, start: 0, end: 0 }
/** The head being written has a host field (forEach's callback sets it). */
let sawHost = false

/** Room for `n` more bytes: else a new slab (larger when one head needs it) with the head so far at its start. */
function makeRoom(n: number): void {
  const sofar = at - start
  const next = new Uint8Array(Math.max(SLAB_BYTES, 2 * (sofar + n)))
  next.set(slab.subarray(start, at))
  slab = next
  start = 0
  at = sofar
}

/** One byte per character, as encodeLatin1: RangeError for a character above U+00FF. */
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

function putCrlf(): void {
  if (at + 2 > slab.byteLength) makeRoom(2)
  slab[at++] = 13
  slab[at++] = 10
}

/** requestHead's forEach, field for field (module-level: no closure per head). */
function putField(value: string, name: string): void {
  if (name === 'content-length' || name === 'transfer-encoding' || name === 'connection' || name === 'keep-alive') return
  if (name === 'host') sawHost = true
  put(name)
  put(': ')
  put(value)
  putCrlf()
}

/** Bytes made once (a block's prepared fields), copied into the head. */
function putBytes(bytes: Uint8Array): void {
  if (at + bytes.byteLength > slab.byteLength) makeRoom(bytes.byteLength)
  slab.set(bytes, at)
  at += bytes.byteLength
}

/**
 * requestHead (codec.ts) as bytes: the request line, the caller's fields but framing and
 * connection, then `block`'s, Host from `authority` when absent, the framing field; a view of the
 * slab. `then`: bytes to follow the head in the same view (a small request body, sent in the
 * head's write). The block holds the proxy's own fields (never Host or framing), written as they
 * are: it is not walked through a Headers, which on Bun makes two strings a field.
 */
export function requestHeadBytes(method: string, target: string, authority: string, headers: Headers, body: RequestFraming, then: Uint8Array | null = null, block: FieldBlock | null = null): Uint8Array {
  composeRequestHead(method, target, authority, headers, body, then, block)
  return slab.subarray(composed.start, composed.end)
}

/**
 * requestHeadBytes without the view: the head is `composed` until the next one is made, for a
 * transport that takes a range of the slab (Transport.writeRange). Give its space back with
 * rangeWritten() once written.
 */
export function composeRequestHead(method: string, target: string, authority: string, headers: Headers, body: RequestFraming, then: Uint8Array | null = null, block: FieldBlock | null = null): void {
  if (typeof body === 'number' && (!Number.isSafeInteger(body) || body < 0)) throw new RangeError(`not a body length: ${body}`)
  start = at
  sawHost = false
  try {
    put(method)
    put(' ')
    put(target)
    put(' HTTP/1.1\r\n')
    headers.forEach(putField)
    if (block !== null) {
      if (block.prepared !== null) putBytes(block.prepared)
      const pairs = block.pairs
      for (let i = 0; i < pairs.length; i += 2) {
        put(pairs[i]!)
        put(': ')
        put(pairs[i + 1]!)
        putCrlf()
      }
    }
    if (!sawHost) {
      put('host: ')
      put(authority)
      putCrlf()
    }
    if (body === 'chunked') put('transfer-encoding: chunked\r\n')
    else if (typeof body === 'number') {
      put('content-length: ')
      put(String(body))
      putCrlf()
    } else if (method === 'POST' || method === 'PUT' || method === 'PATCH') put('content-length: 0\r\n')
    putCrlf()
    if (then !== null) putBytes(then)
  } catch (error) {
    at = start
    throw error
  }
  composed.slab = slab
  composed.start = start
  composed.end = at
  start = at
}

/**
 * The composed head `[from, end)` of `bytes` was written to a transport that kept no reference to
 * it (Transport.copiesWrites): when no head was made after it, the next head is written over its
 * bytes. Else every head took fresh slab space, and a new 64 KiB slab every few hundred heads was
 * most of what a small exchange allocated for its head (~200 B on Bun).
 */
export function rangeWritten(bytes: Uint8Array, from: number, end: number): void {
  if (bytes === slab && end === at) start = at = from
}
