// x-request-id: keep a well-formed incoming id (Envoy keeps client ids unless told otherwise),
// replace a malformed or over-long one, generate a UUID v4 when there is none.

const VALID = /^[A-Za-z0-9._:=+/-]{1,128}$/

/** `sequential`: Runtime.sequentialStrings (the id is a tag of every span the request makes). */
export function requestIdFor(incoming: string | null, generate: boolean, sequential = false): string | undefined {
  if (incoming !== null && VALID.test(incoming)) return incoming
  if (!generate) return undefined
  return sequential ? sequentialUuid() : crypto.randomUUID()
}

/** UUIDs per getRandomValues call. */
const POOL_UUIDS = 64
const HEX_CODE = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0))
const DASH = 45
const bytes = new Uint8Array(POOL_UUIDS * 16)
const codes = new Uint8Array(POOL_UUIDS * 36)
let next = POOL_UUIDS

/**
 * A random (version 4) UUID, lower-case as crypto.randomUUID's, made as one sequential string
 * (String.fromCharCode of its pooled char codes). Deno's crypto.randomUUID() is a slice of a
 * pooled string, which V8's JSON.stringify fast path refuses; on Bun this costs ~100 ns more than
 * crypto.randomUUID() and buys nothing, so it is only used where Runtime.sequentialStrings says.
 */
export function sequentialUuid(): string {
  if (next >= POOL_UUIDS) refill()
  const c = codes
  const a = next++ * 36
  return String.fromCharCode(
    c[a]!, c[a + 1]!, c[a + 2]!, c[a + 3]!, c[a + 4]!, c[a + 5]!, c[a + 6]!, c[a + 7]!, c[a + 8]!, c[a + 9]!, c[a + 10]!, c[a + 11]!,
    c[a + 12]!, c[a + 13]!, c[a + 14]!, c[a + 15]!, c[a + 16]!, c[a + 17]!, c[a + 18]!, c[a + 19]!, c[a + 20]!, c[a + 21]!, c[a + 22]!, c[a + 23]!,
    c[a + 24]!, c[a + 25]!, c[a + 26]!, c[a + 27]!, c[a + 28]!, c[a + 29]!, c[a + 30]!, c[a + 31]!, c[a + 32]!, c[a + 33]!, c[a + 34]!, c[a + 35]!,
  )
}

/** Hex-encodes a block of random bytes as UUIDs: 8-4-4-4-12, version nibble 4, variant bits 10 (RFC 9562). */
function refill(): void {
  crypto.getRandomValues(bytes)
  for (let u = 0; u < POOL_UUIDS; u++) {
    let o = u * 36
    for (let i = 0; i < 16; i++) {
      let b = bytes[u * 16 + i]!
      if (i === 6) b = (b & 0x0f) | 0x40
      else if (i === 8) b = (b & 0x3f) | 0x80
      if (i === 4 || i === 6 || i === 8 || i === 10) codes[o++] = DASH
      codes[o++] = HEX_CODE[b >>> 4]!
      codes[o++] = HEX_CODE[b & 15]!
    }
  }
  next = 0
}
