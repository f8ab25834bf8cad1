// Header bytes as JavaScript strings and back, one character per byte (ISO-8859-1): obs-text
// bytes 0x80-0xFF survive the trip unchanged, as Headers' ByteString values require.

const encoder = new TextEncoder()
// WHATWG's "latin1" label is windows-1252: the same as ISO-8859-1 except 0x80-0x9F.
const windows1252 = new TextDecoder('latin1')

// Every byte 0x80-0x9F that windows-1252 maps differently lands above U+00FF; the rest
// (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to themselves. So one native scan of the text finds them.
const BEYOND_LATIN1 = /[^\x00-\xff]/

/** For bytes known to hold nothing in 0x80-0x9F, where windows-1252 and ISO-8859-1 agree. */
export function decodeAscii(bytes: Uint8Array): string {
  return windows1252.decode(bytes)
}

export function decodeLatin1(bytes: Uint8Array): string {
  const text = windows1252.decode(bytes)
  return BEYOND_LATIN1.test(text) ? decodeBytewise(bytes) : text
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
