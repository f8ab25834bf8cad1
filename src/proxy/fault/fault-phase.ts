// The fault phase, between route and forward (Envoy runs the fault filter before the router):
// delay the request (flag DI), then maybe abort it with a local reply (flag FI). A delay ends
// early when the client goes away (the request's signal; a drain that closes connections at its
// deadline aborts it too), and never holds a timer after that.

import { downstreamDisconnect, faultAbort, type ProxyError } from '../../errors.ts'
import type { Clock } from '../../upstream/clock.ts'
import type { RequestInfo } from '../request-info.ts'
import type { RoutedRequest } from '../route-phase.ts'
import { abortFor, applies, delayFor, FAULT_HEADERS, overflows } from './fault-decision.ts'
import type { FaultFilter } from './fault-filter.ts'

export type FaultTimers = Pick<Clock, 'setTimeout' | 'clearTimeout'>

/** A local reply to answer with, or undefined to forward the request. */
export async function faultPhase(request: Request, routed: RoutedRequest, info: RequestInfo, filter: FaultFilter, timers: FaultTimers): Promise<ProxyError | undefined> {
  const settings = filter.settingsFor(routed.route)
  if (!settings) return undefined
  const { runtime, stats, random } = filter.deps
  if (overflows(settings, stats.active_faults.value, runtime)) {
    stats.faults_overflow.inc()
    return undefined
  }
  if (!applies(settings, info.upstreamCluster, request.headers)) return undefined
  // Envoy's per-downstream-cluster runtime keys and stats (the stats unless disable_downstream_cluster_stats).
  // An external client at an edge has no say: Envoy removes the header from edge requests before any filter.
  const downstream = info.internal ? (request.headers.get(FAULT_HEADERS.downstreamCluster) ?? undefined) : undefined
  const downstreamStats = downstream && !settings.config.disableDownstreamClusterStats ? stats.downstream(downstream) : undefined
  const delayMs = delayFor(settings, request.headers, runtime, random, downstream)
  // Envoy counts a request once in active_faults whichever faults it gets.
  let active = false
  try {
    if (delayMs !== undefined) {
      stats.delays_injected.inc()
      downstreamStats?.delays_injected.inc()
      stats.active_faults.inc()
      active = true
      info.flags = 'DI'
      if ((await delay(delayMs, request.signal, filter.deps.drainDeadline, timers)) === 'client gone') return downstreamDisconnect()
    }
    const status = abortFor(settings, request.headers, runtime, random, downstream)
    if (status === undefined) return undefined
    stats.aborts_injected.inc()
    downstreamStats?.aborts_injected.inc()
    return faultAbort(status)
  } finally {
    if (active) stats.active_faults.dec()
  }
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
