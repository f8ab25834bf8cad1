// What Envoy's fault filter decides for one request, as pure functions of its settings, the
// request's headers, the runtime and one random source: whether it overflows max_active_faults,
// how long to delay, and which status to abort with. No timers, no stats: fault-phase.ts acts.

import type { FaultConfig, FractionalPercent } from '../../config/model-fault.ts'
import type { LayeredRuntime } from '../../layered-runtime/layered-runtime.ts'
import type { HeaderPredicate, HeaderSource } from '../../routing/header-matcher.ts'

/** A FaultConfig with its header matchers compiled. */
export type FaultSettings = { readonly config: FaultConfig; readonly headers: readonly HeaderPredicate[] }

export type FaultRuntime = Pick<LayeredRuntime, 'getInteger' | 'featureEnabled'>

export const FAULT_HEADERS = {
  abort: 'x-envoy-fault-abort-request',
  abortPercentage: 'x-envoy-fault-abort-request-percentage',
  delay: 'x-envoy-fault-delay-request',
  delayPercentage: 'x-envoy-fault-delay-request-percentage',
  /** Set by the calling Envoy (add_user_agent, from its --service-cluster): the downstream cluster. */
  downstreamCluster: 'x-envoy-downstream-service-cluster',
} as const

const ZERO: FractionalPercent = { numerator: 0, denominator: 100 }

/** Envoy checks the limit before anything else: at the limit, no fault for anyone. */
export function overflows(settings: FaultSettings, active: number, runtime: FaultRuntime): boolean {
  const max = runtime.getInteger(settings.config.runtimeKeys.maxActiveFaults, settings.config.maxActiveFaults ?? Number.POSITIVE_INFINITY)
  return active >= max
}

/** upstream_cluster and headers: the request is one the filter may fault. */
export function applies(settings: FaultSettings, cluster: string | undefined, headers: HeaderSource): boolean {
  const wanted = settings.config.upstreamCluster
  if (wanted !== undefined && wanted !== cluster) return false
  return settings.headers.every((matches) => matches(headers))
}

/**
 * Milliseconds to delay, or undefined for no delay. With a downstream cluster (the request's
 * x-envoy-downstream-service-cluster, even empty, as Envoy reads it) Envoy decides the percentage by
 * `fault.http.<downstream>.delay.fixed_delay_percent` instead of the general key, and lets
 * `fault.http.<downstream>.delay.fixed_duration_ms` override the duration the general key gave.
 */
export function delayFor(settings: FaultSettings, headers: HeaderSource, runtime: FaultRuntime, random: () => number, downstream?: string): number | undefined {
  const { delay, runtimeKeys } = settings.config
  if (!delay) return undefined
  const fromHeader = delay.fixedDelayMs === 'header'
  const percentage = fromHeader ? headerPercentage(headers.get(FAULT_HEADERS.delayPercentage), delay.percentage) : delay.percentage
  const percentKey = downstream === undefined ? runtimeKeys.delayPercent : `fault.http.${downstream}.delay.fixed_delay_percent`
  if (!runtime.featureEnabled(percentKey, percentage, random)) return undefined
  // header_delay without a valid header: no delay (Envoy's provider has no default then).
  const configured = fromHeader ? wholeNumber(headers.get(FAULT_HEADERS.delay)) : (delay.fixedDelayMs as number)
  if (configured === undefined) return undefined
  let ms = runtime.getInteger(runtimeKeys.delayDuration, configured)
  if (downstream !== undefined) ms = runtime.getInteger(`fault.http.${downstream}.delay.fixed_duration_ms`, ms)
  return ms > 0 ? ms : undefined
}

/**
 * The status to abort with, or undefined for no abort. With a downstream cluster the percentage
 * comes from `fault.http.<downstream>.abort.abort_percent` instead of the general key, and the
 * status from `fault.http.<downstream>.abort.http_status` over the configured one (Envoy's
 * fallback there is the configured status, not the general key's).
 */
export function abortFor(settings: FaultSettings, headers: HeaderSource, runtime: FaultRuntime, random: () => number, downstream?: string): number | undefined {
  const { abort, runtimeKeys } = settings.config
  if (!abort) return undefined
  const fromHeader = abort.httpStatus === 'header'
  const percentage = fromHeader ? headerPercentage(headers.get(FAULT_HEADERS.abortPercentage), abort.percentage) : abort.percentage
  const percentKey = downstream === undefined ? runtimeKeys.abortPercent : `fault.http.${downstream}.abort.abort_percent`
  if (!runtime.featureEnabled(percentKey, percentage ?? ZERO, random)) return undefined
  const configured = fromHeader ? wholeNumber(headers.get(FAULT_HEADERS.abort)) : (abort.httpStatus as number)
  if (configured === undefined || !isHttpStatus(configured)) return undefined
  const status = downstream === undefined ? runtime.getInteger(runtimeKeys.abortHttpStatus, configured) : runtime.getInteger(`fault.http.${downstream}.abort.http_status`, configured)
  return isHttpStatus(status) ? status : undefined
}

/** The header's numerator, capped at the configured one, over the configured denominator. */
function headerPercentage(value: string | null, configured: FractionalPercent): FractionalPercent {
  const numerator = wholeNumber(value)
  return numerator === undefined ? configured : { numerator: Math.min(numerator, configured.numerator), denominator: configured.denominator }
}

function wholeNumber(value: string | null): number | undefined {
  return value !== null && /^\d{1,10}$/.test(value.trim()) ? Number(value.trim()) : undefined
}

/** Envoy's abort statuses are [200, 600). */
function isHttpStatus(status: number): boolean {
  return status >= 200 && status < 600
}
