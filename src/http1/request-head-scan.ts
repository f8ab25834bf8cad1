// Where a request head starts: after the empty lines a client may send before it. Where it ends,
// and the bytes it may not hold, is head-scan.ts's pass, shared with responses.

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
