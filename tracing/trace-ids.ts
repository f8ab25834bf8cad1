// B3/Zipkin trace and span ids: validation, the 64-bit ⇄ 32-hex mapping OTel needs, and random generation.
// Spans keep ids in wire form (16 or 32 hex, as Zipkin and Envoy do); OTel insists on 32-hex trace
// ids, so the api view of a span (spanContext()) pads a 64-bit id with 16 leading zeros.

const HEX_16 = /^[0-9a-f]{16}$/
const HEX_16_OR_32 = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/
const ZERO_HIGH_BITS = '0000000000000000'

/** Lower-cased 16- or 32-hex trace id, or undefined when malformed or all zeros. */
export function parseTraceId(value: string): string | undefined {
  const id = value.trim().toLowerCase()
  return HEX_16_OR_32.test(id) && !/^0+$/.test(id) ? id : undefined
}

/** Lower-cased 16-hex span id, or undefined when malformed or all zeros. */
export function parseSpanId(value: string): string | undefined {
  const id = value.trim().toLowerCase()
  return HEX_16.test(id) && id !== ZERO_HIGH_BITS ? id : undefined
}

/** The 32-hex form OTel requires: a 64-bit id gets 16 leading zeros. */
export function toOtelTraceId(traceId: string): string {
  const id = traceId.toLowerCase()
  return id.length === 16 ? ZERO_HIGH_BITS + id : id
}

/**
 * The form sent on the wire (B3 headers, Zipkin JSON). A 32-hex id whose high 64 bits are zero is a
 * 64-bit id: it is written back as 16 hex. No flag travels with the span because Zipkin's own
 * `Span.normalizeTraceId` applies exactly this rule, so the two can never disagree.
 */
export function toB3TraceId(traceId: string): string {
  const id = traceId.toLowerCase()
  return id.length === 32 && id.startsWith(ZERO_HIGH_BITS) ? id.slice(16) : id
}

/** Char codes of the 16 hex digits. */
const HEX_CODE = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0))
/** 256 words = 128 span ids per getRandomValues call: one fill (and one hex string) per ~64 requests. */
const POOL_WORDS = 256
// The bytes are ASCII hex digits: UTF-8's ASCII fast path decodes them (faster than 'latin1' on both runtimes).
const ASCII = new TextDecoder()

export type IdSource = {
  /** A new root's trace id in wire form: 16 hex, or 32 with `traceId128Bit`. */
  traceId(): string
  /** A non-zero 16-hex span id. */
  spanId(): string
}

/**
 * Ids from the CSPRNG like the SDK's, drawn in blocks: a pooled Uint32Array refilled by
 * crypto.getRandomValues once used up and hex-encoded whole, once per refill, into one flat string.
 * An id is then a 16-character slice of that string: ~30 ns instead of ~90 ns for sixteen table
 * lookups and a String.fromCharCode per id, and a flat string that headers and JSON.stringify copy
 * straight.
 * `sequential` (Runtime.sequentialStrings, so Deno): one String.fromCharCode of the id's 16 pooled
 * codes instead (~15 ns more on V8), since V8 makes a 16-character slice a SlicedString, which its
 * JSON.stringify fast path refuses: one such id in a span part sent the whole part to the slow
 * serializer, twice the CPU a span (bench/README.md, stop 30 deno13). On Bun the slice stays (the
 * copy measured +0.1–0.3 µs a traced request there).
 */
export function createIdSource(opts: { traceId128Bit?: boolean; sequential?: boolean; fill?: (words: Uint32Array) => void } = {}): IdSource {
  const sequential = opts.sequential === true
  const fill = opts.fill ?? ((words: Uint32Array) => void crypto.getRandomValues(words))
  const pool = new Uint32Array(POOL_WORDS)
  const codes = new Uint8Array(POOL_WORDS * 8)
  let hex = ''
  let next = POOL_WORDS
  const refill = (): void => {
    fill(pool)
    for (let i = 0; i < POOL_WORDS; i++) hexInto(codes, i * 8, pool[i]!)
    if (!sequential) hex = ASCII.decode(codes)
    next = 0
  }
  const word = (): number => {
    if (next >= POOL_WORDS) refill()
    return pool[next++]!
  }
  /** 64 random bits: two pooled words, as their slice of the pool's hex. */
  const hex64 = (): string => {
    // Two words left at least (the zero path below may leave `next` odd).
    if (next > POOL_WORDS - 2) refill()
    const at = next
    if (pool[at] === 0 && pool[at + 1] === 0) return rareZero()
    next += 2
    return sequential ? text16(codes, at * 8) : hex.slice(at * 8, at * 8 + 16)
  }
  /** All-zero ids are invalid in B3: such a draw (p = 2^-64) refills the pool. */
  const rareZero = (): string => {
    let hi = 0
    let lo = 0
    for (let refills = 0; hi === 0 && lo === 0; refills++) {
      next = POOL_WORDS
      hi = word()
      // A source that only ever yields zeros is broken; still never emit an invalid id.
      lo = refills < 8 ? word() : 1
    }
    const out = new Uint8Array(16)
    hexInto(out, 0, hi)
    hexInto(out, 8, lo)
    return ASCII.decode(out)
  }
  return {
    // join, not `+`: V8 makes a 32-character concatenation a ConsString, which the fast path refuses too.
    traceId: opts.traceId128Bit ? (sequential ? () => [hex64(), hex64()].join('') : () => hex64() + hex64()) : hex64,
    spanId: hex64,
  }
}

/** The 16 char codes from `at` as one sequential string. */
function text16(c: Uint8Array, at: number): string {
  return String.fromCharCode(c[at]!, c[at + 1]!, c[at + 2]!, c[at + 3]!, c[at + 4]!, c[at + 5]!, c[at + 6]!, c[at + 7]!, c[at + 8]!, c[at + 9]!, c[at + 10]!, c[at + 11]!, c[at + 12]!, c[at + 13]!, c[at + 14]!, c[at + 15]!)
}

function hexInto(out: Uint8Array, at: number, word: number): void {
  const h = HEX_CODE
  out[at] = h[word >>> 28]!
  out[at + 1] = h[(word >>> 24) & 15]!
  out[at + 2] = h[(word >>> 20) & 15]!
  out[at + 3] = h[(word >>> 16) & 15]!
  out[at + 4] = h[(word >>> 12) & 15]!
  out[at + 5] = h[(word >>> 8) & 15]!
  out[at + 6] = h[(word >>> 4) & 15]!
  out[at + 7] = h[word & 15]!
}
