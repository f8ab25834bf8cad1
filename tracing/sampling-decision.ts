// The HCM's sampling decision for one request, in Envoy's order (B3's own decision, then
// x-client-trace-id, x-envoy-force-trace, random sampling, overall sampling's veto), each
// percentage overridden by its runtime key, and counted in the listener's tracing.* stats.

import type { ListenerConfig } from '../src/config/model.ts'
import type { ListenerStats } from '../src/stats/stats-store.ts'
import type { IncomingTrace } from './b3-extract.ts'

/** The decision as bits, so deciding allocates nothing: SAMPLED, and FORCED (x-envoy-force-trace honoured). */
export const SAMPLED = 1
export const FORCED = 2

type Sampling = Pick<ListenerConfig['tracing'], 'randomSampling' | 'clientSampling' | 'overallSampling'>
/** Envoy's runtime layer, as far as sampling reads it. */
export type SamplingRuntime = { getInteger(key: string, fallback: number): number }

/**
 * The HCM's percentages, each overridden by its runtime key when a layer sets it (Envoy's
 * featureEnabled); read only when the decision gets to it.
 */
function randomSampling(configured: Sampling, runtime: SamplingRuntime | undefined): number {
  if (!runtime) return configured.randomSampling
  const random = runtime.getInteger('tracing.random_sampling', -1)
  return random >= 0 ? Math.min(random, 10_000) / 100 : configured.randomSampling
}

function clientSampling(configured: Sampling, runtime: SamplingRuntime | undefined): number {
  return runtime ? Math.min(runtime.getInteger('tracing.client_enabled', configured.clientSampling), 100) : configured.clientSampling
}

function overallSampling(configured: Sampling, runtime: SamplingRuntime | undefined): number {
  return runtime ? Math.min(runtime.getInteger('tracing.global_enabled', configured.overallSampling), 100) : configured.overallSampling
}

/** Envoy's order: B3's own decision, then x-client-trace-id, x-envoy-force-trace, random sampling. `headers` undefined: none of them arrived. */
export function decide(incoming: IncomingTrace | undefined, headers: Headers | undefined, sampling: Sampling, runtime: SamplingRuntime | undefined, stats: ListenerStats, random: () => number, internal: boolean): number {
  // Envoy honours x-envoy-force-trace only from internal clients.
  const forced = internal && headers?.has('x-envoy-force-trace') ? FORCED : 0
  if (incoming?.debug) return SAMPLED | forced
  if (incoming?.sampled !== undefined) return (incoming.sampled ? SAMPLED : 0) | forced
  let sampled: boolean
  if (headers?.has('x-client-trace-id') && random() * 100 < clientSampling(sampling, runtime)) {
    stats['tracing.client_enabled'].inc()
    sampled = true
  } else if (forced) {
    stats['tracing.service_forced'].inc()
    sampled = true
  } else if (random() * 100 < randomSampling(sampling, runtime)) {
    stats['tracing.random_sampling'].inc()
    sampled = true
  } else {
    stats['tracing.not_traceable'].inc()
    sampled = false
  }
  // overall_sampling can veto any decision made here.
  if (sampled) {
    const overall = overallSampling(sampling, runtime)
    if (overall < 100 && random() * 100 >= overall) sampled = false
  }
  return (sampled ? SAMPLED : 0) | forced
}
