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

/** Char codes of the 16 hex digits: one String.fromCharCode per id makes a flat string, not a rope. */
const HEX_CODE = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0))
/** 256 words = 128 span ids per getRandomValues call: one syscall-backed fill per ~64 requests. */
const POOL_WORDS = 256

export type IdSource = {
  /** A new root's trace id in wire form: 16 hex, or 32 with `traceId128Bit`. */
  traceId(): string
  /** A non-zero 16-hex span id. */
  spanId(): string
}

/**
 * Ids from the CSPRNG like the SDK's, drawn in blocks: a pooled Uint32Array refilled by
 * crypto.getRandomValues once used up, hex-encoded in one String.fromCharCode. Per id this is two
 * array reads and sixteen table lookups instead of a typed-array allocation and a crypto call.
 */
export function createIdSource(opts: { traceId128Bit?: boolean; fill?: (words: Uint32Array) => void } = {}): IdSource {
  const fill = opts.fill ?? ((words: Uint32Array) => void crypto.getRandomValues(words))
  const pool = new Uint32Array(POOL_WORDS)
  let next = POOL_WORDS
  const word = (): number => {
    if (next === POOL_WORDS) {
      fill(pool)
      next = 0
    }
    return pool[next++]!
  }
  /** 64 random bits. All-zero ids are invalid in B3: such a draw (p = 2^-64) refills the pool. */
  const hex64 = (): string => {
    let hi = word()
    let lo = word()
    for (let refills = 0; hi === 0 && lo === 0; refills++) {
      next = POOL_WORDS
      hi = word()
      // A source that only ever yields zeros is broken; still never emit an invalid id.
      lo = refills < 8 ? word() : 1
    }
    return hex64Of(hi, lo)
  }
  return {
    traceId: opts.traceId128Bit ? () => hex64() + hex64() : hex64,
    spanId: hex64,
  }
}

function hex64Of(hi: number, lo: number): string {
  const h = HEX_CODE
  return String.fromCharCode(
    h[hi >>> 28]!, h[(hi >>> 24) & 15]!, h[(hi >>> 20) & 15]!, h[(hi >>> 16) & 15]!,
    h[(hi >>> 12) & 15]!, h[(hi >>> 8) & 15]!, h[(hi >>> 4) & 15]!, h[hi & 15]!,
    h[lo >>> 28]!, h[(lo >>> 24) & 15]!, h[(lo >>> 20) & 15]!, h[(lo >>> 16) & 15]!,
    h[(lo >>> 12) & 15]!, h[(lo >>> 8) & 15]!, h[(lo >>> 4) & 15]!, h[lo & 15]!,
  )
}
