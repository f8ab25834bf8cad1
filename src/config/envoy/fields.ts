// Which fields of each Envoy message edgeway reads, which it rejects ("not supported by edgeway":
// they would change behaviour) and which it ignores with a warning (no effect here). README's
// "Envoy bootstrap" section lists the same sets; a test keeps the two in step.

export type MessageSpec = {
  readonly name: string
  readonly supported: readonly string[]
  readonly unsupported?: readonly string[]
  /** Field → why it has no effect ('' when obvious); each use is one warning line. */
  readonly noEffect?: Readonly<Record<string, string>>
}

const spec = (s: MessageSpec): MessageSpec => s

// Cluster messages (endpoints, health checks, outlier detection, breakers, balancer configs, upstream TLS).
export * from './fields-cluster.ts'

export const BOOTSTRAP = spec({
  name: 'Bootstrap',
  supported: ['node', 'static_resources', 'dynamic_resources', 'admin', 'tracing', 'layered_runtime'],
  unsupported: ['hds_config', 'stats_sinks', 'header_prefix', 'overload_manager', 'default_socket_interface', 'bootstrap_extensions', 'certificate_provider_instances', 'inline_headers', 'typed_dns_resolver_config', 'node_context_params', 'default_regex_engine', 'xds_delegate_extension', 'listener_manager', 'application_log_config'],
  noEffect: {
    stats_config: 'stat names are fixed', stats_flush_interval: '', stats_flush_on_admin: '', stats_server_version_override: '',
    watchdog: '', watchdogs: '', flags_path: '', runtime: 'v2 runtime', cluster_manager: '', enable_dispatcher_stats: '',
    use_tcp_for_dns_lookups: '', dns_resolution_config: '', fatal_actions: '', perf_tracing_file_path: '', memory_allocator_manager: '',
  },
})

export const NODE = spec({
  name: 'Node',
  supported: ['id', 'cluster'],
  noEffect: { metadata: '', locality: '', user_agent_name: '', user_agent_version: '', user_agent_build_version: '', extensions: '', client_features: '', build_version: '', dynamic_parameters: '' },
})

export const STATIC_RESOURCES = spec({ name: 'StaticResources', supported: ['listeners', 'clusters'], unsupported: ['secrets'] })

export const DYNAMIC_RESOURCES = spec({ name: 'DynamicResources', supported: ['lds_config', 'cds_config'], unsupported: ['ads_config', 'lds_resources_locator', 'cds_resources_locator'] })

export const CONFIG_SOURCE = spec({
  name: 'ConfigSource',
  supported: ['path', 'path_config_source'],
  unsupported: ['api_config_source', 'ads', 'self', 'authorities'],
  noEffect: { resource_api_version: 'v2 and v3 resources are read alike', initial_fetch_timeout: 'files are read at load' },
})

export const PATH_CONFIG_SOURCE = spec({ name: 'PathConfigSource', supported: ['path'], noEffect: { watched_directory: 'edgeway polls the file itself, which sees a replacing move too' } })

export const DISCOVERY_RESPONSE = spec({ name: 'DiscoveryResponse', supported: ['resources'], noEffect: { version_info: '', type_url: '', nonce: '', canary: '', control_plane: '' } })

export const ADMIN = spec({
  name: 'Admin',
  supported: ['address'],
  noEffect: { access_log_path: 'the admin listener keeps no access log', access_log: 'the admin listener keeps no access log', profile_path: '', socket_options: '', ignore_global_conn_limit: '' },
})

export const ADDRESS = spec({ name: 'Address', supported: ['socket_address'], unsupported: ['pipe', 'envoy_internal_address'] })

export const SOCKET_ADDRESS = spec({
  name: 'SocketAddress',
  supported: ['address', 'port_value', 'protocol'],
  unsupported: ['named_port', 'resolver_name'],
  noEffect: { ipv4_compat: '', network_namespace_filepath: '' },
})

export const LISTENER = spec({
  name: 'Listener',
  supported: ['name', 'address', 'filter_chains', 'traffic_direction', 'per_connection_buffer_limit_bytes', 'listener_filters'],
  unsupported: ['default_filter_chain', 'use_original_dst', 'transparent', 'udp_listener_config', 'api_listener', 'additional_addresses', 'internal_listener', 'access_log', 'filter_chain_matcher', 'listener_filters_timeout', 'connection_balance_config', 'max_connections_to_accept_per_socket_event'],
  noEffect: {
    stat_prefix: 'listener stats are not kept', metadata: '', drain_type: '', socket_options: '', freebind: '', tcp_fast_open_queue_length: '',
    reuse_port: 'edgeway decides SO_REUSEPORT', enable_reuse_port: 'edgeway decides SO_REUSEPORT', tcp_backlog_size: '', bind_to_port: '',
    continue_on_listener_filters_timeout: '', deprecated_v1: '', enable_mptcp: '', ignore_global_conn_limit: '',
  },
})

export const FILTER_CHAIN = spec({
  name: 'FilterChain',
  supported: ['filters', 'transport_socket'],
  unsupported: ['filter_chain_match', 'use_proxy_proto', 'transport_socket_connect_timeout', 'tls_context'],
  noEffect: { name: '', metadata: '' },
})

export const FILTER = spec({ name: 'Filter', supported: ['name', 'typed_config', 'config'], unsupported: ['config_discovery'] })

export const HCM = spec({
  name: 'HttpConnectionManager',
  supported: [
    'codec_type', 'stat_prefix', 'route_config', 'http_filters', 'generate_request_id', 'use_remote_address', 'xff_num_trusted_hops',
    'always_set_request_id_in_response', 'server_name', 'server_header_transformation', 'max_request_headers_kb', 'tracing', 'access_log',
    'common_http_protocol_options', 'preserve_external_request_id', 'normalize_path', 'merge_slashes', 'upgrade_configs', 'add_user_agent',
  ],
  unsupported: [
    'rds', 'scoped_routes', 'stream_idle_timeout', 'request_timeout', 'request_headers_timeout', 'skip_xff_append', 'via',
    'path_with_escaped_slashes_action', 'local_reply_config', 'forward_client_cert_details', 'set_current_client_cert_details',
    'strip_matching_host_port', 'strip_any_host_port', 'original_ip_detection_extensions', 'early_header_mutation_extensions',
    'request_id_extension', 'proxy_100_continue', 'represent_ipv4_remote_address_as_ipv4_mapped_ipv6', 'internal_address_config', 'strip_trailing_host_dot',
    'scheme_header_transformation', 'path_normalization_options', 'http3_protocol_options', 'proxy_status_config', 'append_x_forwarded_port',
  ],
  noEffect: {
    http_protocol_options: 'HTTP/1.1 options', http2_protocol_options: 'HTTP/2 options', drain_timeout: '', delayed_close_timeout: '',
    access_log_flush_interval: '', flush_access_log_on_new_request: '', stream_error_on_invalid_http_message: 'invalid requests always get 400',
    user_agent: '', access_log_options: '', generate_request_id_in_response: '',
  },
})

export const UPGRADE_CONFIG = spec({ name: 'HttpConnectionManager.UpgradeConfig', supported: ['upgrade_type', 'enabled'], unsupported: ['filters'] })
export const ROUTE_UPGRADE_CONFIG = spec({ name: 'RouteAction.UpgradeConfig', supported: ['upgrade_type', 'enabled'], unsupported: ['connect_config'] })

export const HTTP_FILTER = spec({ name: 'HttpFilter', supported: ['name', 'typed_config', 'config'], unsupported: ['config_discovery', 'is_optional', 'disabled'] })

export const HCM_TRACING = spec({
  name: 'HttpConnectionManager.Tracing',
  supported: ['provider', 'operation_name', 'random_sampling', 'client_sampling', 'overall_sampling', 'custom_tags'],
  unsupported: ['spawn_upstream_span'],
  noEffect: { verbose: '', max_path_tag_length: '', request_headers_for_tags: '' },
})

export const TRACING_PROVIDER = spec({ name: 'Tracing.Http', supported: ['name', 'typed_config', 'config'] })

export const ZIPKIN = spec({
  name: 'ZipkinConfig',
  supported: ['collector_cluster', 'collector_endpoint', 'collector_endpoint_version', 'trace_id_128bit', 'shared_span_context'],
  unsupported: ['split_spans_for_request', 'trace_context_option', 'collector_service'],
  noEffect: { collector_hostname: 'the collector is reached at its cluster endpoint\'s address' },
})

export const ACCESS_LOG = spec({ name: 'AccessLog', supported: ['name', 'typed_config', 'config'], unsupported: ['filter'] })

export const FILE_ACCESS_LOG = spec({ name: 'FileAccessLog', supported: ['path', 'log_format', 'format', 'json_format', 'typed_json_format'] })
export const STDOUT_ACCESS_LOG = spec({ name: 'StdoutAccessLog', supported: ['log_format'] })
export const STDERR_ACCESS_LOG = spec({ name: 'StderrAccessLog', supported: ['log_format'] })
export const SUBSTITUTION_FORMAT = spec({
  name: 'SubstitutionFormatString',
  supported: ['text_format', 'text_format_source', 'json_format', 'omit_empty_values'],
  unsupported: ['formatters'],
  noEffect: { content_type: 'access log lines have no content type', json_format_options: 'keys are always sorted, as Envoy sorts them' },
})
export const TEXT_FORMAT_SOURCE = spec({ name: 'DataSource', supported: ['inline_string'], unsupported: ['filename', 'inline_bytes', 'environment_variable', 'watched_directory'] })

export const ROUTE_CONFIGURATION = spec({
  name: 'RouteConfiguration',
  supported: ['name', 'virtual_hosts', 'request_headers_to_add', 'request_headers_to_remove', 'response_headers_to_add', 'response_headers_to_remove'],
  unsupported: ['vhds', 'internal_only_headers', 'most_specific_header_mutations_wins', 'cluster_specifier_plugins', 'request_mirror_policies', 'typed_per_filter_config'],
  noEffect: { validate_clusters: 'clusters are always checked', max_direct_response_body_size_bytes: '', ignore_port_in_host_matching: '' },
})

export const VIRTUAL_HOST = spec({
  name: 'VirtualHost',
  supported: ['name', 'domains', 'routes', 'retry_policy', 'require_tls', 'request_headers_to_add', 'request_headers_to_remove', 'response_headers_to_add', 'response_headers_to_remove', 'typed_per_filter_config'],
  unsupported: ['virtual_clusters', 'rate_limits', 'cors', 'include_request_attempt_count', 'include_attempt_count_in_response', 'hedge_policy', 'per_request_buffer_limit_bytes', 'request_mirror_policies', 'matcher', 'retry_policy_typed_config'],
  noEffect: { metadata: '' },
})

export const ROUTE = spec({
  name: 'Route',
  supported: ['name', 'match', 'route', 'decorator', 'request_headers_to_add', 'request_headers_to_remove', 'response_headers_to_add', 'response_headers_to_remove', 'typed_per_filter_config'],
  unsupported: ['redirect', 'direct_response', 'filter_action', 'non_forwarding_action', 'tracing', 'per_request_buffer_limit_bytes'],
  noEffect: { metadata: '', stat_prefix: '' },
})

export const ROUTE_MATCH = spec({
  name: 'RouteMatch',
  supported: ['prefix', 'path', 'safe_regex', 'headers', 'case_sensitive'],
  unsupported: ['regex', 'path_separated_prefix', 'path_match_policy', 'connect_matcher', 'query_parameters', 'grpc', 'tls_context', 'runtime_fraction', 'dynamic_metadata', 'filter_state'],
})

export const REGEX_MATCHER = spec({ name: 'RegexMatcher', supported: ['regex', 'google_re2'] })

export const HEADER_MATCHER = spec({
  name: 'HeaderMatcher',
  supported: ['name', 'exact_match', 'prefix_match', 'suffix_match', 'contains_match', 'safe_regex_match', 'present_match', 'string_match', 'invert_match'],
  unsupported: ['range_match', 'regex_match', 'treat_missing_header_as_empty'],
})

export const ROUTE_ACTION = spec({
  name: 'RouteAction',
  supported: ['cluster', 'weighted_clusters', 'prefix_rewrite', 'host_rewrite_literal', 'host_rewrite', 'timeout', 'idle_timeout', 'retry_policy', 'hash_policy', 'upgrade_configs'],
  unsupported: [
    'cluster_header', 'cluster_specifier_plugin', 'inline_cluster_specifier_plugin', 'metadata_match', 'regex_rewrite', 'path_rewrite_policy', 'host_rewrite_header',
    'host_rewrite_path_regex', 'auto_host_rewrite', 'request_mirror_policies', 'request_mirror_policy', 'rate_limits', 'include_vh_rate_limits',
    'cors', 'max_grpc_timeout', 'grpc_timeout_offset', 'internal_redirect_policy', 'internal_redirect_action', 'max_internal_redirects',
    'hedge_policy', 'max_stream_duration', 'early_data_policy', 'retry_policy_typed_config', 'append_x_forwarded_host', 'cluster_not_found_response_code',
  ],
  noEffect: { priority: 'one priority only', host_rewrite_literal_auto: '' },
})

export const WEIGHTED_CLUSTERS = spec({
  name: 'WeightedCluster',
  supported: ['clusters'],
  unsupported: ['header_name', 'random_value_specifier'],
  noEffect: { total_weight: 'weights are relative', runtime_key_prefix: '' },
})

export const CLUSTER_WEIGHT = spec({
  name: 'WeightedCluster.ClusterWeight',
  supported: ['name', 'weight'],
  unsupported: ['cluster_header', 'metadata_match', 'request_headers_to_add', 'request_headers_to_remove', 'response_headers_to_add', 'response_headers_to_remove', 'typed_per_filter_config', 'host_rewrite_literal'],
})

export const RETRY_POLICY = spec({
  name: 'RetryPolicy',
  supported: ['retry_on', 'num_retries', 'per_try_timeout', 'retriable_status_codes', 'retry_back_off'],
  unsupported: ['retry_priority', 'retriable_headers', 'retriable_request_headers', 'rate_limited_retry_back_off', 'per_try_idle_timeout', 'retry_options_predicates'],
  noEffect: { retry_host_predicate: 'a retry always prefers another endpoint', host_selection_retry_max_attempts: 'a retry always prefers another endpoint' },
})

export const DECORATOR = spec({ name: 'Decorator', supported: ['operation'], noEffect: { propagate: '' } })

export const HEADER_VALUE_OPTION = spec({ name: 'HeaderValueOption', supported: ['header', 'append', 'append_action'], noEffect: { keep_empty_value: '' } })

export const LAYERED_RUNTIME = spec({ name: 'LayeredRuntime', supported: ['layers'] })
export const RUNTIME_LAYER = spec({ name: 'RuntimeLayer', supported: ['name', 'static_layer', 'disk_layer', 'admin_layer'], unsupported: ['rtds_layer'] })
export const DISK_LAYER = spec({ name: 'RuntimeLayer.DiskLayer', supported: ['symlink_root', 'subdirectory', 'append_service_cluster'] })

export const FAULT = spec({
  name: 'HTTPFault',
  supported: ['abort', 'delay', 'upstream_cluster', 'headers', 'max_active_faults', 'abort_percent_runtime', 'abort_http_status_runtime', 'delay_percent_runtime', 'delay_duration_runtime', 'max_active_faults_runtime', 'disable_downstream_cluster_stats'],
  unsupported: ['downstream_nodes', 'response_rate_limit', 'filter_metadata'],
  noEffect: {
    response_rate_limit_percent_runtime: 'response_rate_limit is not supported',
    abort_grpc_status_runtime: 'grpc_status is not supported',
  },
})
export const FAULT_ABORT = spec({ name: 'FaultAbort', supported: ['http_status', 'header_abort', 'percentage'], unsupported: ['grpc_status'] })
export const FAULT_DELAY = spec({ name: 'FaultDelay', supported: ['fixed_delay', 'header_delay', 'percentage', 'type'] })
export const FRACTIONAL_PERCENT = spec({ name: 'FractionalPercent', supported: ['numerator', 'denominator'] })

export const HASH_POLICY = spec({
  name: 'RouteAction.HashPolicy',
  supported: ['header', 'cookie', 'connection_properties', 'query_parameter', 'terminal'],
  unsupported: ['filter_state'],
})
export const HASH_POLICY_HEADER = spec({ name: 'HashPolicy.Header', supported: ['header_name'], unsupported: ['regex_rewrite'] })
export const HASH_POLICY_COOKIE = spec({ name: 'HashPolicy.Cookie', supported: ['name'], unsupported: ['ttl', 'path', 'attributes'] })
export const DOWNSTREAM_TLS = spec({
  name: 'DownstreamTlsContext',
  supported: ['common_tls_context', 'require_client_certificate'],
  unsupported: ['require_sni', 'session_ticket_keys', 'session_ticket_keys_sds_secret_config', 'ocsp_staple_policy', 'full_scan_certs_on_sni_mismatch', 'prefer_client_ciphers'],
  noEffect: { disable_stateless_session_resumption: '', disable_stateful_session_resumption: '', session_timeout: '' },
})
