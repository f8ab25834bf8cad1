// The cluster side of fields.ts (which re-exports it): which fields of each Envoy cluster message
// edgeway reads, rejects or ignores with a warning.

import type { MessageSpec } from './fields.ts'

const spec = (s: MessageSpec): MessageSpec => s

export const CLUSTER = spec({
  name: 'Cluster',
  supported: [
    'name', 'type', 'lb_policy', 'connect_timeout', 'dns_refresh_rate', 'dns_resolvers', 'dns_lookup_family', 'load_assignment', 'hosts',
    'health_checks', 'outlier_detection', 'circuit_breakers', 'http2_protocol_options', 'typed_extension_protocol_options', 'transport_socket',
    'per_connection_buffer_limit_bytes', 'http_protocol_options', 'common_http_protocol_options', 'upstream_connection_options',
    'ring_hash_lb_config', 'maglev_lb_config', 'common_lb_config', 'least_request_lb_config',
  ],
  unsupported: [
    'cluster_type', 'eds_cluster_config', 'lb_subset_config', 'original_dst_lb_config',
    'round_robin_lb_config', 'load_balancing_policy', 'upstream_bind_config', 'lrs_server', 'transport_socket_matches', 'filters',
    'protocol_selection', 'upstream_http_protocol_options', 'preconnect_policy', 'max_requests_per_connection', 'respect_dns_ttl', 'dns_failure_refresh_rate',
    'typed_dns_resolver_config', 'wait_for_warm_on_init', 'tls_context', 'extension_protocol_options', 'track_timeout_budgets',
  ],
  noEffect: {
    alt_stat_name: '', cleanup_interval: '', close_connections_on_host_health_failure: '', ignore_health_on_host_removal: '', metadata: '',
    track_cluster_stats: '', connection_pool_per_downstream_connection: '', use_tcp_for_dns_lookups: '', dns_resolution_config: '',
  },
})

export const LOAD_ASSIGNMENT = spec({ name: 'ClusterLoadAssignment', supported: ['cluster_name', 'endpoints'], noEffect: { policy: '', named_endpoints: '' } })
export const LOCALITY_LB_ENDPOINTS = spec({ name: 'LocalityLbEndpoints', supported: ['lb_endpoints', 'priority', 'load_balancing_weight', 'locality'], noEffect: { metadata: '', proximity: '' }, unsupported: ['leds_cluster_locality_config'] })
export const LOCALITY = spec({ name: 'Locality', supported: ['region', 'zone', 'sub_zone'] })
export const LB_ENDPOINT = spec({ name: 'LbEndpoint', supported: ['endpoint', 'load_balancing_weight'], noEffect: { metadata: '', health_status: 'health comes from health checks' }, unsupported: ['endpoint_name'] })
export const ENDPOINT = spec({ name: 'Endpoint', supported: ['address', 'health_check_config'], noEffect: { hostname: '' }, unsupported: ['additional_addresses'] })
// Only the endpoint's own port (what the sandboxes write): checks go to the endpoint's address and port.
export const ENDPOINT_HEALTH_CHECK_CONFIG = spec({ name: 'Endpoint.HealthCheckConfig', supported: ['port_value'], unsupported: ['hostname', 'address', 'disable_active_health_check'] })

export const HEALTH_CHECK = spec({
  name: 'HealthCheck',
  supported: ['timeout', 'interval', 'unhealthy_threshold', 'healthy_threshold', 'http_health_check'],
  unsupported: ['tcp_health_check', 'grpc_health_check', 'custom_health_check', 'reuse_connection', 'unhealthy_interval', 'unhealthy_edge_interval', 'healthy_edge_interval', 'transport_socket_match_criteria', 'alt_port'],
  noEffect: { interval_jitter: '', interval_jitter_percent: '', initial_jitter: '', no_traffic_interval: '', no_traffic_healthy_interval: '', event_log_path: '', event_logger: '', always_log_health_check_failures: '', always_log_health_check_success: '' },
})

export const HTTP_HEALTH_CHECK = spec({
  name: 'HealthCheck.HttpHealthCheck',
  supported: ['path', 'expected_statuses'],
  unsupported: ['host', 'send', 'receive', 'request_headers_to_add', 'request_headers_to_remove', 'retriable_statuses', 'codec_client_type', 'service_name_matcher', 'method', 'response_buffer_size'],
})

export const OUTLIER_DETECTION = spec({
  name: 'OutlierDetection',
  supported: ['consecutive_5xx', 'base_ejection_time', 'max_ejection_percent'],
  unsupported: [
    'consecutive_gateway_failure', 'consecutive_local_origin_failure', 'success_rate_minimum_hosts', 'success_rate_request_volume', 'success_rate_stdev_factor',
    'failure_percentage_threshold', 'failure_percentage_minimum_hosts', 'failure_percentage_request_volume', 'split_external_local_origin_errors', 'max_ejection_time',
  ],
  noEffect: { interval: 'ejections are decided per response', enforcing_consecutive_5xx: '', enforcing_success_rate: '', enforcing_consecutive_gateway_failure: '', enforcing_failure_percentage: '', enforcing_consecutive_local_origin_failure: '', max_ejection_time_jitter: '', successful_active_health_check_uneject_host: '' },
})

/** A cluster's HTTP/2 settings: the first three are applied (node:http2 settings and the session pool). */
export const HTTP2_PROTOCOL_OPTIONS = spec({
  name: 'Http2ProtocolOptions',
  supported: ['max_concurrent_streams', 'initial_stream_window_size', 'initial_connection_window_size'],
  noEffect: Object.fromEntries(
    [
      'hpack_table_size', 'allow_connect', 'allow_metadata', 'max_outbound_frames', 'max_outbound_control_frames', 'max_consecutive_inbound_frames_with_empty_payload',
      'max_inbound_priority_frames_per_stream', 'max_inbound_window_update_frames_per_data_frame_sent', 'stream_error_on_invalid_http_messaging',
      'override_stream_error_on_invalid_http_message', 'custom_settings_parameters', 'connection_keepalive', 'use_oghttp2_codec', 'max_metadata_size', 'enable_huffman_encoding',
    ].map((key) => [key, 'the HTTP/2 client keeps its default']),
  ),
})

export const CIRCUIT_BREAKERS = spec({ name: 'CircuitBreakers', supported: ['thresholds'], unsupported: ['per_host_thresholds'] })
export const THRESHOLDS = spec({
  name: 'CircuitBreakers.Thresholds',
  supported: ['priority', 'max_connections', 'max_pending_requests', 'max_requests', 'max_retries', 'track_remaining'],
  unsupported: ['retry_budget', 'max_connection_pools'],
})

export const RING_HASH_LB_CONFIG = spec({ name: 'Cluster.RingHashLbConfig', supported: ['minimum_ring_size', 'maximum_ring_size', 'hash_function'] })
export const COMMON_LB_CONFIG = spec({
  name: 'Cluster.CommonLbConfig',
  supported: ['healthy_panic_threshold', 'consistent_hashing_lb_config', 'ignore_new_hosts_until_first_hc', 'fail_traffic_on_panic', 'locality_weighted_lb_config'],
  unsupported: ['zone_aware_lb_config', 'close_connections_on_host_set_change', 'override_host_status'],
  noEffect: { update_merge_window: 'membership changes apply at once' },
})
export const CONSISTENT_HASHING_LB_CONFIG = spec({ name: 'CommonLbConfig.ConsistentHashingLbConfig', supported: ['use_hostname_for_hashing'], unsupported: ['hash_balance_factor'] })
export const MAGLEV_LB_CONFIG = spec({ name: 'Cluster.MaglevLbConfig', supported: ['table_size'] })
export const LEAST_REQUEST_LB_CONFIG = spec({ name: 'Cluster.LeastRequestLbConfig', supported: ['active_request_bias'], unsupported: ['choice_count', 'slow_start_config'] })
export const ACTIVE_REQUEST_BIAS = spec({ name: 'RuntimeDouble (active_request_bias)', supported: ['default_value'], noEffect: { runtime_key: 'the default_value is used: the runtime is not read for it' } })

export const UPSTREAM_TLS = spec({
  name: 'UpstreamTlsContext',
  supported: ['common_tls_context', 'sni'],
  unsupported: ['auto_host_sni', 'auto_sni_san_validation', 'allow_renegotiation', 'enforce_rsa_key_usage'],
  noEffect: { max_session_keys: 'sessions are not resumed' },
})

export const UPSTREAM_COMMON_TLS = spec({
  name: 'CommonTlsContext (upstream)',
  supported: ['tls_certificates', 'validation_context', 'alpn_protocols'],
  unsupported: ['tls_certificate_sds_secret_configs', 'tls_certificate_provider_instance', 'validation_context_sds_secret_config', 'combined_validation_context', 'validation_context_certificate_provider_instance', 'custom_handshaker', 'custom_tls_certificate_selector'],
  noEffect: { tls_params: "the runtime's TLS 1.2-1.3 and ciphers are used", key_log: '' },
})

export const UPSTREAM_VALIDATION = spec({
  name: 'CertificateValidationContext (upstream)',
  supported: ['trusted_ca', 'match_subject_alt_names', 'match_typed_subject_alt_names'],
  unsupported: ['verify_certificate_spki', 'verify_certificate_hash', 'crl', 'allow_expired_certificate', 'trust_chain_verification', 'custom_validator_config', 'watched_directory', 'only_verify_leaf_cert_crl', 'max_verify_depth', 'system_root_certs', 'trusted_ca_certificate_provider_instance'],
})
export const LOCALITY_WEIGHTED_LB_CONFIG = spec({ name: 'CommonLbConfig.LocalityWeightedLbConfig', supported: [] })
