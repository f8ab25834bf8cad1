// The shared slab that request heads (head-bytes.ts) and response heads (response-head-bytes.ts)
// are written into, one byte per character, without building a head string first. Carved as the
// transports' read loops carve theirs: a head's bytes are never overwritten while a transport may
// still hold them (its space is given back only by rangeWritten, after a write that kept no
// reference), so a head stays valid until its write completes; a new slab replaces a full one.
// Module-level state and plain functions, not an object: the writers call put() a dozen times a
// head, and a head is composed and handed to its transport in one turn, so one slab serves both.

const SLAB_BYTES = 64 * 1024

let slab = new Uint8Array(SLAB_BYTES)
/** Where the head being written starts, and the next byte to write. */
let start = 0
let at = 0

/**
 * The head composed last: bytes `[start, end)` of `slab`, valid until the next head is made
 * (a writer reads it at once, in the same turn).
 */
export const composed: { slab: Uint8Array; start: number; end: number } = { slab, start: 0, end: 0 }

/** A new head starts at the next free byte. */
export function beginHead(): void {
  start = at
}

/** The head being written failed (a value a head cannot carry): its bytes are free again. */
export function abandonHead(): void {
  at = start
}

/** The head is done: it is `composed` now. */
export function endHead(): void {
  composed.slab = slab
  composed.start = start
  composed.end = at
  start = at
}

/** The composed head as a view of the slab. */
export function composedView(): Uint8Array {
  return composed.slab.subarray(composed.start, composed.end)
}

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
export function put(text: string): void {
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

export function putCrlf(): void {
  if (at + 2 > slab.byteLength) makeRoom(2)
  slab[at++] = 13
  slab[at++] = 10
}

/** Bytes made once (a block's prepared fields, a status line, a small body), copied into the head. */
export function putBytes(bytes: Uint8Array): void {
  if (at + bytes.byteLength > slab.byteLength) makeRoom(bytes.byteLength)
  slab.set(bytes, at)
  at += bytes.byteLength
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
