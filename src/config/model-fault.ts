// The model of Envoy's fault filter (part of model.ts, kept apart to keep that file readable).

import type { HeaderMatcher } from './model.ts'

/** Envoy's FractionalPercent: numerator out of 100, 10 000 or 1 000 000. */
export type FractionalPercent = { readonly numerator: number; readonly denominator: 100 | 10_000 | 1_000_000 }

/**
 * Envoy's HTTPFault (envoy.filters.http.fault): on a listener (its HTTP filter) or on a route (the
 * route's typed_per_filter_config, which replaces the listener's settings for that route).
 */
export type FaultConfig = {
  /** `header`: the status comes from x-envoy-fault-abort-request (Envoy's header_abort). */
  readonly abort: { readonly httpStatus: number | 'header'; readonly percentage: FractionalPercent } | undefined
  /** `header`: the delay comes from x-envoy-fault-delay-request in ms (Envoy's header_delay). */
  readonly delay: { readonly fixedDelayMs: number | 'header'; readonly percentage: FractionalPercent } | undefined
  /** Only requests routed to this cluster are faulted. */
  readonly upstreamCluster: string | undefined
  /** Only requests matching every one of these are faulted. */
  readonly headers: readonly HeaderMatcher[]
  /** No `<prefix>fault.<downstream cluster>.*` stats (the downstream runtime keys still apply, as in Envoy). */
  readonly disableDownstreamClusterStats: boolean
  /** undefined = unlimited. */
  readonly maxActiveFaults: number | undefined
  /** The runtime keys that override the settings (Envoy's `*_runtime` fields, defaulted to `fault.http.*`). */
  readonly runtimeKeys: {
    readonly abortPercent: string
    readonly abortHttpStatus: string
    readonly delayPercent: string
    readonly delayDuration: string
    readonly maxActiveFaults: string
  }
}
