// The `Date` field the byte listener adds to a response that has none, as Bun's server does (and Envoy,
// and RFC 9110 §6.6.1 asks of an origin with a clock): one line of bytes per second, remade when
// the second changes, so a response pays a clock read and a copy, not a Date and a string.
// `now` is injectable so a test can drive the second by hand.

const encoder = new TextEncoder()
let second = -1
let line: Uint8Array = new Uint8Array(0)

/** `Date: <IMF-fixdate>\r\n` for the current second (shared bytes: never change them). */
export function dateLine(now: number = Date.now()): Uint8Array {
  const at = Math.floor(now / 1000)
  if (at !== second) {
    second = at
    // toUTCString is IMF-fixdate (RFC 9110 §5.6.7) in every engine since ES2018.
    line = encoder.encode(`Date: ${new Date(at * 1000).toUTCString()}\r\n`)
  }
  return line
}
