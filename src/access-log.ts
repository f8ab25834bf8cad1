// One line per request on stdout, in Envoy's default format (or JSON). The lines are buffered and
// written in chunks of up to 64 KiB (access-log/line-buffer.ts); the default format is written
// straight into the buffer's bytes (writeText), the others as one string a line.

import type { LineBytes } from './access-log/line-bytes.ts'
import type { RequestInfo } from './proxy/request-info.ts'

const dash = (value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? '-' : String(value))

// Envoy formats the time once per second too: the date and the seconds change far less often than
// lines are written, so only the milliseconds are formatted per line.
let cachedSecond = Number.NaN
let cachedPrefix = ''
let cachedPrefixBytes = new Uint8Array(0)
const encoder = new TextEncoder()

function cacheSecond(second: number): void {
  if (second === cachedSecond) return
  cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20)
  cachedPrefixBytes = encoder.encode(cachedPrefix)
  cachedSecond = second
}

/** `new Date(ms).toISOString()` for the epoch milliseconds a log line carries. */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000)
  cacheSecond(second)
  const millis = Math.floor(ms - second * 1000)
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`
}

/** Envoy's default: [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% ... */
export function formatText(e: RequestInfo): string {
  return (
    `[${isoTime(e.startTimeMs)}] "${e.method} ${e.path} ${e.protocol}" ${e.status} ${dash(e.flags)} ${e.bytesReceived} ${e.bytesSent} ` +
    `${e.durationMs} ${dash(e.upstreamServiceTimeMs)} "${dash(e.forwardedFor)}" "${dash(e.userAgent)}" "${dash(e.requestId)}" "${dash(e.authority)}" "${dash(e.upstreamHost)}"`
  )
}

/** isoTime(ms), written into a line's bytes. */
export function writeIsoTime(out: LineBytes, ms: number): void {
  const second = Math.floor(ms / 1000)
  cacheSecond(second)
  out.append(cachedPrefixBytes)
  const millis = Math.floor(ms - second * 1000)
  out.byte(48 + ((millis / 100) | 0))
  out.byte(48 + (((millis / 10) | 0) % 10))
  out.byte(48 + (millis % 10))
  out.byte(Z)
}

const SPACE = 32
const QUOTE = 34
const DASH = 45
const OPEN = 91
const CLOSE = 93
const Z = 90

/** A template literal's `${value}`. */
function put(out: LineBytes, value: string | number | null | undefined): void {
  if (typeof value === 'string') out.text(value)
  else if (typeof value === 'number') out.int(value)
  else out.text(String(value))
}

/** dash(value), written. */
function putOrDash(out: LineBytes, value: string | number | null | undefined): void {
  if (value === null || value === undefined || value === '') out.byte(DASH)
  else put(out, value)
}

/** ` "value"` with dash(value) inside. */
function quoted(out: LineBytes, value: string | null | undefined): void {
  out.byte(SPACE)
  out.byte(QUOTE)
  putOrDash(out, value)
  out.byte(QUOTE)
}

/**
 * formatText(e), byte for byte, written straight into the buffered bytes (the shipped default's
 * path: no line string, no rope to flatten at the flush; access-log/line-bytes.ts says why).
 */
export function writeText(out: LineBytes, e: RequestInfo): void {
  out.byte(OPEN)
  writeIsoTime(out, e.startTimeMs)
  out.byte(CLOSE)
  out.byte(SPACE)
  out.byte(QUOTE)
  put(out, e.method)
  out.byte(SPACE)
  put(out, e.path)
  out.byte(SPACE)
  put(out, e.protocol)
  out.byte(QUOTE)
  out.byte(SPACE)
  put(out, e.status)
  out.byte(SPACE)
  putOrDash(out, e.flags)
  out.byte(SPACE)
  put(out, e.bytesReceived)
  out.byte(SPACE)
  put(out, e.bytesSent)
  out.byte(SPACE)
  put(out, e.durationMs)
  out.byte(SPACE)
  putOrDash(out, e.upstreamServiceTimeMs)
  quoted(out, e.forwardedFor)
  quoted(out, e.userAgent)
  quoted(out, e.requestId)
  quoted(out, e.authority)
  quoted(out, e.upstreamHost)
}

export function formatJson(e: RequestInfo): string {
  return JSON.stringify({
    start_time: isoTime(e.startTimeMs),
    method: e.method,
    path: e.path,
    protocol: e.protocol,
    response_code: e.status,
    response_flags: dash(e.flags),
    response_code_details: e.details,
    bytes_received: e.bytesReceived,
    bytes_sent: e.bytesSent,
    duration: e.durationMs,
    upstream_service_time: e.upstreamServiceTimeMs ?? null,
    x_forwarded_for: e.forwardedFor,
    user_agent: e.userAgent,
    request_id: e.requestId ?? null,
    authority: e.authority,
    upstream_host: e.upstreamHost ?? null,
    upstream_cluster: e.upstreamCluster ?? null,
    route_name: e.routeName ?? null,
    attempts: e.attempts,
  })
}
