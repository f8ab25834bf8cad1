// The fault phase, between route and forward (Envoy runs the fault filter before the router):
// delay the request (flag DI), then maybe abort it with a local reply (flag FI). A delay ends
// early when the client goes away (the request's signal; a drain that closes connections at its
// deadline aborts it too), and never holds a timer after that. Its decision reads the client's
// headers as sent, so it runs inside the route phase just before they are edited for forwarding
// (decideFault); only a delay goes on after it (delayedFault).

import type { RouteConfig } from '../../config/model.ts'
import { downstreamDisconnect, faultAbort, ProxyError } from '../../errors.ts'
import type { HeaderSource } from '../../routing/header-matcher.ts'
import type { FaultStats } from '../../stats/stats-store.ts'
import type { ProxyRequest } from '../../runtime.ts'
import type { Clock } from '../../upstream/clock.ts'
import type { RequestInfo } from '../request-info.ts'
import type { RoutedRequest } from '../route-phase.ts'
import { abortFor, applies, delayFor, FAULT_HEADERS, overflows, type FaultSettings } from './fault-decision.ts'
import type { FaultFilter } from './fault-filter.ts'

export type FaultTimers = Pick<Clock, 'setTimeout' | 'clearTimeout'>
type DownstreamFaultStats = ReturnType<FaultStats['downstream']>

/**
 * A delay to inject, decided while the client's headers were still as sent; the abort after it is
 * decided when the delay is over (the runtime may have changed meanwhile), from the abort headers
 * as the client sent them (the request's own may have been edited for forwarding by then).
 */
export type DelayedFault = {
  readonly delayMs: number
  readonly settings: FaultSettings
  readonly downstream: string | undefined
  readonly downstreamStats: DownstreamFaultStats | undefined
  readonly abortHeaders: HeaderSource
}

/**
 * The synchronous part, which reads the client's headers as sent: run before they are edited for
 * forwarding. undefined to forward the request, a local reply to answer with now, or a delay.
 */
export function decideFault(headers: Headers, route: RouteConfig, info: RequestInfo, filter: FaultFilter): ProxyError | DelayedFault | undefined {
  const settings = filter.settingsFor(route)
  if (!settings) return undefined
  const { runtime, stats, random } = filter.deps
  if (overflows(settings, stats.active_faults.value, runtime)) {
    stats.faults_overflow.inc()
    return undefined
  }
  if (!applies(settings, info.upstreamCluster, headers)) return undefined
  // Envoy's per-downstream-cluster runtime keys and stats (the stats unless disable_downstream_cluster_stats).
  // An external client at an edge has no say: Envoy removes the header from edge requests before any filter.
  const downstream = info.internal ? (headers.get(FAULT_HEADERS.downstreamCluster) ?? undefined) : undefined
  const downstreamStats = downstream && !settings.config.disableDownstreamClusterStats ? stats.downstream(downstream) : undefined
  const delayMs = delayFor(settings, headers, runtime, random, downstream)
  if (delayMs === undefined) return abort(settings, headers, filter, downstream, downstreamStats)
  return { delayMs, settings, downstream, downstreamStats, abortHeaders: abortHeadersOf(headers) }
}

/** The delay, then the abort decided after it: a local reply, or undefined to forward the request. */
export async function delayedFault(fault: DelayedFault, signal: AbortSignal | undefined, info: RequestInfo, filter: FaultFilter, timers: FaultTimers): Promise<ProxyError | undefined> {
  const { stats } = filter.deps
  // Envoy counts a request once in active_faults whichever faults it gets.
  stats.delays_injected.inc()
  fault.downstreamStats?.delays_injected.inc()
  stats.active_faults.inc()
  try {
    info.flags = 'DI'
    if ((await delay(fault.delayMs, signal, filter.deps.drainDeadline, timers)) === 'client gone') return downstreamDisconnect()
    return abort(fault.settings, fault.abortHeaders, filter, fault.downstream, fault.downstreamStats)
  } finally {
    stats.active_faults.dec()
  }
}

/** Both parts at once: a local reply to answer with, or undefined to forward the request. */
export async function faultPhase(request: ProxyRequest, routed: Pick<RoutedRequest, 'route'>, info: RequestInfo, filter: FaultFilter, timers: FaultTimers): Promise<ProxyError | undefined> {
  const fault = decideFault(request.headers, routed.route, info, filter)
  if (fault === undefined || fault instanceof ProxyError) return fault
  return delayedFault(fault, request.signal, info, filter, timers)
}

function abort(settings: FaultSettings, headers: HeaderSource, filter: FaultFilter, downstream: string | undefined, downstreamStats: DownstreamFaultStats | undefined): ProxyError | undefined {
  const { runtime, stats, random } = filter.deps
  const status = abortFor(settings, headers, runtime, random, downstream)
  if (status === undefined) return undefined
  stats.aborts_injected.inc()
  downstreamStats?.aborts_injected.inc()
  return faultAbort(status)
}

/** The two headers an abort after a delay may read, as the client sent them. */
function abortHeadersOf(headers: Headers): HeaderSource {
  const abortStatus = headers.get(FAULT_HEADERS.abort)
  const abortPercentage = headers.get(FAULT_HEADERS.abortPercentage)
  return { get: (name) => (name === FAULT_HEADERS.abort ? abortStatus : name === FAULT_HEADERS.abortPercentage ? abortPercentage : null) }
}

/** How the delay ended: its time was up, the client left, or a drain's time was up first. */
function delay(ms: number, signal: AbortSignal | undefined, drainDeadline: AbortSignal | undefined, timers: FaultTimers): Promise<'elapsed' | 'client gone' | 'drained'> {
  if (signal?.aborted) return Promise.resolve('client gone')
  if (drainDeadline?.aborted) return Promise.resolve('drained')
  return new Promise((resolve) => {
    const end = (how: 'elapsed' | 'client gone' | 'drained') => {
      timers.clearTimeout(timer)
      signal?.removeEventListener('abort', gone)
      drainDeadline?.removeEventListener('abort', drained)
      resolve(how)
    }
    const gone = () => end('client gone')
    const drained = () => end('drained')
    const timer = timers.setTimeout(() => end('elapsed'), ms)
    signal?.addEventListener('abort', gone, { once: true })
    drainDeadline?.addEventListener('abort', drained, { once: true })
  })
}
