// B3/Zipkin trace and span ids: validation, the 64-bit ⇄ 32-hex mapping OTel needs, and random generation.
// OTel insists on 32-hex trace ids; Zipkin and Envoy default to 64-bit ones, so a 64-bit id lives
// internally left-padded with 16 zeros and loses the padding again wherever it leaves the process.

import type { IdGenerator } from '@opentelemetry/sdk-trace-base'

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

/** Random non-zero hex of `bytes` bytes, from the injected source of randomness. */
export function randomHex(bytes: number, fill: (buf: Uint8Array) => void = fillRandom): string {
  const buf = new Uint8Array(bytes)
  for (let tries = 0; tries < 8; tries++) {
    fill(buf)
    if (buf.some((b) => b !== 0)) break
  }
  let out = ''
  for (const b of buf) out += b.toString(16).padStart(2, '0')
  return out
}

function fillRandom(buf: Uint8Array): void {
  crypto.getRandomValues(buf)
}

/**
 * New root traces are 64-bit by default, as Envoy's `trace_id_128bit: false`: the id is generated
 * already padded so OTel accepts it and it is exported as 16 hex.
 */
export function createIdGenerator(opts: { traceId128Bit?: boolean; fill?: (buf: Uint8Array) => void } = {}): IdGenerator {
  return {
    generateTraceId: () => (opts.traceId128Bit ? randomHex(16, opts.fill) : ZERO_HIGH_BITS + randomHex(8, opts.fill)),
    generateSpanId: () => randomHex(8, opts.fill),
  }
}
