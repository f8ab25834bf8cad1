// Header bytes as JavaScript strings and back, one character per byte (ISO-8859-1): obs-text
// bytes 0x80-0xFF survive the trip unchanged, as Headers' ByteString values require.

import { Buffer } from 'node:buffer'

const encoder = new TextEncoder()

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string
// Node's Buffer#latin1Slice, which Bun and Deno both have, reads any Uint8Array's byte range as
// ISO-8859-1 in one native call: no view to make first, and no windows-1252 remapping to undo
// (a response head: Deno 397 -> 68 ns, Bun 134 -> 64 ns, against TextDecoder of a subarray).
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice
// WHATWG's "latin1" label is windows-1252: the same as ISO-8859-1 except 0x80-0x9F (the fallback).
const windows1252 = new TextDecoder('latin1')

// Every byte 0x80-0x9F that windows-1252 maps differently lands above U+00FF; the rest
// (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to themselves. So one native scan of the text finds them.
const BEYOND_LATIN1 = /[^\x00-\xff]/

/** Bytes `start` to `end` of `bytes`, one character per byte. */
export function decodeLatin1(bytes: Uint8Array, start = 0, end = bytes.byteLength): string {
  if (latin1Slice) return latin1Slice.call(bytes, start, end)
  const range = bytes.subarray(start, end)
  const text = windows1252.decode(range)
  return BEYOND_LATIN1.test(text) ? decodeBytewise(range) : text
}

function decodeBytewise(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.byteLength; i += 4096) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[])
  return text
}

/** Throws RangeError on a character above U+00FF: it has no single-byte form. */
export function encodeLatin1(text: string): Uint8Array {
  // UTF-8 takes one byte per character exactly when every character is ASCII, so the encoder's
  // own length is the ASCII check. A regex scan first cost more than the encoding: a request head
  // is a string just built by concatenation, and scanning it is slow (Bun 1.2 -> 0.75 µs a head
  // with the encoding, Deno 1.6 -> 1.45: bench/README.md's client subsection).
  const utf8 = encoder.encode(text)
  if (utf8.byteLength === text.length) return utf8
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code > 0xff) throw new RangeError(`character U+${code.toString(16).padStart(4, '0')} has no single-byte form`)
    bytes[i] = code
  }
  return bytes
}
