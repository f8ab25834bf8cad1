// The stat catalogue, declared once: names follow Envoy's so its dashboards and habits carry over.
// A misspelt stat name is a compile error because every scope is built from these tuples.

export const CLUSTER_COUNTERS = [
  'upstream_rq_total',
  'upstream_rq_completed',
  'upstream_rq_1xx',
  'upstream_rq_2xx',
  'upstream_rq_3xx',
  'upstream_rq_4xx',
  'upstream_rq_5xx',
  'upstream_rq_retry',
  'upstream_rq_retry_success',
  'upstream_rq_retry_limit_exceeded',
  'upstream_rq_retry_overflow',
  'upstream_rq_timeout',
  'upstream_rq_per_try_timeout',
  'upstream_rq_pending_overflow',
  'upstream_rq_rx_reset',
  'upstream_cx_protocol_error',
  'upstream_cx_total',
  'upstream_cx_http1_total',
  'upstream_cx_http2_total',
  'upstream_cx_connect_fail',
  'upstream_cx_connect_timeout',
  'upstream_cx_overflow',
  'upstream_cx_destroy',
  'upstream_cx_destroy_local',
  'upstream_cx_destroy_remote',
  'upstream_cx_destroy_with_active_rq',
  'upstream_cx_destroy_local_with_active_rq',
  'upstream_cx_destroy_remote_with_active_rq',
  'upstream_cx_rx_bytes_total',
  'upstream_cx_tx_bytes_total',
  'upstream_rq_pending_total',
  'upstream_rq_pending_failure_eject',
  'upstream_rq_cancelled',
  'upstream_cx_none_healthy',
  'lb_healthy_panic',
  'membership_change',
  'update_attempt',
  'update_success',
  'update_failure',
  'update_empty',
  'init_fetch_timeout',
  'health_check.attempt',
  'health_check.success',
  'health_check.failure',
  'outlier_detection.ejections_enforced_total',
] as const

/** A TLS cluster's `ssl.*` (Envoy's ALL_SSL_STATS counters); per-value ones are src/stats/ssl-stats.ts's. */
export const SSL_COUNTERS = ['connection_error', 'handshake', 'session_reused', 'no_certificate', 'fail_verify_no_cert', 'fail_verify_error', 'fail_verify_san'] as const

export const CLUSTER_GAUGES = [
  'membership_healthy',
  'membership_total',
  // Envoy's: endpoints out of balancing until their first health check (pending_active_hc).
  'membership_excluded',
  'upstream_rq_active',
  'upstream_rq_pending_active',
  'upstream_cx_active',
  'outlier_detection.ejections_active',
  // 1 while the breaker is at its limit and admits nothing more (Envoy's ResourceManager gauges).
  'circuit_breakers.default.cx_open',
  'circuit_breakers.default.rq_pending_open',
  'circuit_breakers.default.rq_open',
  'circuit_breakers.default.rq_retry_open',
] as const

/** With `track_remaining`, what each breaker still admits (Envoy publishes these only then). */
export const CIRCUIT_BREAKER_REMAINING_GAUGES = [
  'circuit_breakers.default.remaining_cx',
  'circuit_breakers.default.remaining_pending',
  'circuit_breakers.default.remaining_rq',
  'circuit_breakers.default.remaining_retries',
] as const

/**
 * Gauges that describe the cluster rather than this process's traffic: every worker of a primary
 * sees the same membership, so the admin reports one worker's value instead of the sum.
 */
export const CLUSTER_STATE_GAUGES: readonly ClusterGauge[] = ['membership_healthy', 'membership_total', 'membership_excluded', 'outlier_detection.ejections_active']

export const LISTENER_COUNTERS = [
  'downstream_rq_total',
  'downstream_cx_drain_close',
  'downstream_rq_1xx',
  'downstream_rq_2xx',
  'downstream_rq_3xx',
  'downstream_rq_4xx',
  'downstream_rq_5xx',
  'downstream_rq_too_large',
  'downstream_rq_header_overflow',
  'downstream_cx_protocol_error',
  'downstream_rq_idle_timeout',
  'downstream_cx_upgrades_total',
  /** Envoy's name for any upgrade (a CONNECT too) a route does not allow, answered 403. */
  'downstream_rq_ws_on_non_ws_route',
  'no_route',
  'rq_total',
  'tracing.random_sampling',
  'tracing.service_forced',
  'tracing.client_enabled',
  'tracing.not_traceable',
] as const

export const LISTENER_GAUGES = ['downstream_rq_active'] as const

/** The fault filter's own stats (`http.<stat_prefix>.fault.*`), kept only on listeners that have one. */
export const FAULT_COUNTERS = ['aborts_injected', 'delays_injected', 'faults_overflow'] as const
export const FAULT_GAUGES = ['active_faults'] as const

/**
 * Latency histograms in ms: attempt start to upstream response headers; connect start to connected;
 * a connection's life from connect start to close. Then request start to response end.
 */
export const CLUSTER_HISTOGRAMS = ['upstream_rq_time', 'upstream_cx_connect_ms', 'upstream_cx_length_ms'] as const
export const LISTENER_HISTOGRAMS = ['downstream_rq_time'] as const

export const TRACING_COUNTERS = ['spans_sent', 'reports_sent', 'reports_dropped', 'reports_failed'] as const

export const SERVER_GAUGES = ['live', 'state', 'uptime', 'concurrency'] as const

/** Listener lifecycle (Envoy's listener_manager.*): reloads add, modify and remove listeners; drains stop them. */
export const LISTENER_MANAGER_COUNTERS = ['listener_added', 'listener_modified', 'listener_removed', 'listener_stopped', 'listener_drained'] as const
export const LISTENER_MANAGER_GAUGES = ['total_listeners_active', 'total_listeners_draining'] as const

/** Config reloads (SIGHUP, POST /reload, the file watch): counted by the process that validates them. */
/** Envoy's `runtime.*`: one load per snapshot (start, /runtime_modify, a disk layer swapped). */
export const RUNTIME_COUNTERS = ['load_success', 'load_error', 'override_dir_exists', 'override_dir_not_exists'] as const
export const RUNTIME_GAUGES = ['num_keys', 'num_layers', 'admin_overrides_active'] as const
export const RELOAD_COUNTERS = ['update_attempt', 'update_success', 'update_rejected'] as const
export const RELOAD_GAUGES = ['version', 'last_updated_epoch_s'] as const

/** File-based LDS / CDS (Envoy's listener_manager.lds.* and cluster_manager.cds.*): one per change of the file. */
export const XDS_COUNTERS = ['update_attempt', 'update_success', 'update_rejected'] as const

export type ClusterCounter = (typeof CLUSTER_COUNTERS)[number]
export type ClusterGauge = (typeof CLUSTER_GAUGES)[number]
export type SslCounter = (typeof SSL_COUNTERS)[number]
export type CircuitBreakerRemainingGauge = (typeof CIRCUIT_BREAKER_REMAINING_GAUGES)[number]
export type ListenerCounter = (typeof LISTENER_COUNTERS)[number]
export type ListenerGauge = (typeof LISTENER_GAUGES)[number]
export type FaultCounter = (typeof FAULT_COUNTERS)[number]
export type FaultGauge = (typeof FAULT_GAUGES)[number]
export type TracingCounter = (typeof TRACING_COUNTERS)[number]
export type ServerGauge = (typeof SERVER_GAUGES)[number]
export type ListenerManagerCounter = (typeof LISTENER_MANAGER_COUNTERS)[number]
export type ListenerManagerGauge = (typeof LISTENER_MANAGER_GAUGES)[number]
export type RuntimeCounter = (typeof RUNTIME_COUNTERS)[number]
export type RuntimeGauge = (typeof RUNTIME_GAUGES)[number]
export type ReloadCounter = (typeof RELOAD_COUNTERS)[number]
export type ReloadGauge = (typeof RELOAD_GAUGES)[number]
export type XdsCounter = (typeof XDS_COUNTERS)[number]
export type ClusterHistogram = (typeof CLUSTER_HISTOGRAMS)[number]
export type ListenerHistogram = (typeof LISTENER_HISTOGRAMS)[number]
