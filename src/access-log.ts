// One line per request on stdout, in Envoy's default format (or JSON). The lines are buffered and
// written in chunks of up to 64 KiB (access-log/line-buffer.ts).

import type { RequestInfo } from './proxy/request-info.ts'

const dash = (value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? '-' : String(value))

// Envoy formats the time once per second too: the date and the seconds change far less often than
// lines are written, so only the milliseconds are formatted per line.
let cachedSecond = Number.NaN
let cachedPrefix = ''

/** `new Date(ms).toISOString()` for the epoch milliseconds a log line carries. */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000)
  if (second !== cachedSecond) {
    cachedSecond = second
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20)
  }
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
