// After the traced runs: waits for the exporter's last batch, then checks the collector got one span
// set per request — edgeway's request span plus one span per upstream attempt — and nothing was dropped.

import { sleep } from './processes.ts'
import type { Check } from './report.ts'

export interface SpanCheckInput {
  readonly peer: string
  readonly serviceName: string
  readonly collectorPort: number
  readonly adminPort?: number
  /** The listener's stat prefix: its requests are `http.<prefix>.downstream_rq_total`. */
  readonly statPrefix: string
  /** Completed requests wrk counted against this peer (warm-up included). */
  readonly wrkRequests: number
  /** Spans for one request without retries (edgeway: the request span and one attempt span). */
  readonly spansPerRequest: number
  /** Requests wrk may have left in flight when it stopped: its connections, summed over its runs. */
  readonly inFlightSlack: number
  readonly exportDelayMs: number
}

export interface ProxyCounts {
  served: number
  /** Upstream attempts, retries included: each one is a span. */
  attempts: number
  dropped: number
}

export async function checkSpans(input: SpanCheckInput): Promise<Check> {
  await sleep(input.exportDelayMs)
  const counts = await proxyCounts(input.adminPort, input.statPrefix)
  // with the admin's counters the expectation is exact; without, wrk's count bounds it
  const low = counts ? counts.served + counts.attempts : input.wrkRequests * input.spansPerRequest
  const high = counts ? low : (input.wrkRequests + input.inFlightSlack) * input.spansPerRequest
  const deadline = Date.now() + Math.max(10_000, input.exportDelayMs * 10)
  let received = await spansFor(input)
  let lastChange = Date.now()
  while (received < low && Date.now() < deadline && Date.now() - lastChange < input.exportDelayMs * 6) {
    await sleep(input.exportDelayMs / 2)
    const now = await spansFor(input)
    if (now !== received) lastChange = Date.now()
    received = now
  }
  const ok = received >= low && received <= high && (counts?.dropped ?? 0) === 0
  const source = counts
    ? `expected ${low} = ${counts.served} requests served + ${counts.attempts} upstream attempts (admin stats), ${counts.dropped} reports dropped`
    : `admin stats unreadable: expected ${low}-${high} from wrk's count`
  return { ok, what: `${input.peer}: collector received ${received} spans; wrk completed ${input.wrkRequests} requests; ${source}` }
}

async function spansFor(input: SpanCheckInput): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${input.collectorPort}/counts`)
  const counts = (await response.json()) as Record<string, number>
  return counts[input.serviceName] ?? 0
}

/** Reads Envoy-style `name: value` lines from the admin's /stats; undefined when unavailable. */
export async function proxyCounts(adminPort: number | undefined, statPrefix: string): Promise<ProxyCounts | undefined> {
  if (adminPort === undefined) return undefined
  try {
    const response = await fetch(`http://127.0.0.1:${adminPort}/stats`, { signal: AbortSignal.timeout(2_000) })
    if (!response.ok) return undefined
    return parseCounts(await response.text(), statPrefix)
  } catch {
    return undefined
  }
}

/** Only the proxied listener counts: admin requests (this read included) make no spans. */
export function parseCounts(text: string, statPrefix: string): ProxyCounts | undefined {
  const stats = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = /^([\w.:-]+):\s+(\d+)$/.exec(line.trim())
    if (match) stats.set(match[1] as string, Number(match[2]))
  }
  const sum = (pattern: RegExp) => [...stats].filter(([name]) => pattern.test(name)).reduce((total, [, v]) => total + v, 0)
  const served = stats.get(`http.${statPrefix}.downstream_rq_total`)
  if (served === undefined) return undefined
  return {
    served,
    attempts: sum(/^cluster\.[^.]+\.upstream_rq_total$/),
    dropped: sum(/^tracing\.zipkin\.reports_dropped$/),
  }
}
