// The byte pass of the request-head parser (request-head.ts): where a head starts (after empty
// lines) and ends (its CRLF CRLF), refusing on the way every byte no request head may hold. The
// parser's other checks run on the decoded text; only this one must see bytes.

import { HEAD_SPECIAL_BYTES } from './head-special-bytes.ts'
import { invalidCharacters } from './request-head-error.ts'

/**
 * Where the request line starts: after the empty lines (CRLF) a client may send before it (RFC
 * 9112 §2.2: a server SHOULD ignore at least one; some clients send one after a body). -1 while
 * only empty lines, or half of one, have arrived. A bare LF there is left to headEnd to refuse.
 */
export function lineStart(bytes: Uint8Array): number {
  let at = 0
  const n = bytes.byteLength
  while (at < n && bytes[at] === 13) {
    if (at + 1 === n) return -1
    if (bytes[at + 1] !== 10) return at // a bare CR: headEnd refuses it
    at += 2
  }
  return at === n ? -1 : at
}

/**
 * Index of the CR of the first CRLF CRLF at or after the request line, or -1 until it has arrived.
 * Throws on a control byte other than HTAB (NUL, DEL included), or a CR or LF that is not part of
 * a CRLF: no request line or field may hold one (RFC 9112 §2.2, §5.5). One pass over the bytes.
 */
export function headEnd(bytes: Uint8Array, from: number): number {
  const n = bytes.byteLength
  for (let i = from; i < n; i++) {
    const b = bytes[i]!
    if (HEAD_SPECIAL_BYTES[b] === 0) continue
    if (b === 13) {
      if (i + 1 === n) return -1
      if (bytes[i + 1] !== 10) throw invalidCharacters('bare CR in the request head')
      if (i + 3 < n && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i
    } else if (b !== 10 || i === 0 || bytes[i - 1] !== 13) {
      throw invalidCharacters(b === 10 ? 'bare LF in the request head' : `control byte 0x${b.toString(16).padStart(2, '0')} in the request head`)
    }
  }
  return -1
}
