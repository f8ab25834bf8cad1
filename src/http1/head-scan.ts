// The byte pass of both head parsers (request-head.ts for requests, codec.ts for responses):
// where a head ends, refusing on the way every byte no HTTP/1.1 head may hold bare. Each parser
// turns a refused byte into its own error type; the rules and the scan are one.

/**
 * 1 for the bytes no HTTP/1.1 head may hold bare (RFC 9112 §2.2, §5): control bytes but HTAB, and
 * DEL; CR and LF are among them so the scan can check each is part of a CRLF. A table lookup per
 * byte lets every other byte through with one load and compare (Bun: a 431-byte browser request
 * head's scan ~600 -> ~290 ns against range compares; Deno ~390 -> ~340).
 */
const SPECIAL = new Uint8Array(256)
for (let b = 0; b < 0x20; b++) if (b !== 9) SPECIAL[b] = 1
SPECIAL[0x7f] = 1

/**
 * Index of the CR of the first CRLF CRLF at or after `from`, -1 until it has arrived, or
 * `-2 - at` for a byte at `at` no head may hold there: a control byte other than HTAB (NUL and
 * DEL included), or a CR or LF that is not part of a CRLF (refusedByte names it). One pass over
 * the bytes (a regex over the text cost ~0.4 µs on V8). A caller resuming a scan passes `from`
 * three bytes back, so a CRLF CRLF split across reads is found.
 */
export function headEnd(bytes: Uint8Array, from: number): number {
  const n = bytes.byteLength
  for (let i = from; i < n; i++) {
    const b = bytes[i]!
    if (SPECIAL[b] === 0) continue
    if (b === 13) {
      if (i + 1 === n) return -1
      if (bytes[i + 1] !== 10) return -2 - i
      if (i + 3 < n && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i
    } else if (b !== 10 || i === 0 || bytes[i - 1] !== 13) return -2 - i // 0x7F lands here too
  }
  return -1
}

/** What headEnd refused at `at`: `bare CR`, `bare LF` or `control byte 0x..`. */
export function refusedByte(bytes: Uint8Array, at: number): string {
  const b = bytes[at]!
  if (b === 13) return 'bare CR'
  if (b === 10) return 'bare LF'
  return `control byte 0x${b.toString(16).padStart(2, '0')}`
}
