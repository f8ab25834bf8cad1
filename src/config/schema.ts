// The config file's shape (Envoy-style snake_case names and durations), validated by zod.
// Defaults live in defaults.ts; this file only says what is allowed. Objects are strict so a
// misspelt key is an error instead of a silently ignored setting.

import { z } from 'zod'
import { safeRegexProblem } from '../regex/safe-regex.ts'
// Patterns are checked synchronously inside the schema: re2js loads with it.
import '../regex/re2-engine.ts'
import { DEFAULTS } from './defaults.ts'
import { codecType, downstreamTls, requireTls, upgradeConfigs } from './tls-schema.ts'
import { faultBlock, layeredRuntime } from './fault-schema.ts'
import { cluster } from './schema-cluster.ts'
import { duration, headerName, int, ipAddress, lowerEnum, name, percent, port, positiveDuration } from './schema-primitives.ts'

const headerValueOption = z.strictObject({
  header: z.strictObject({ key: headerName, value: z.string() }),
  append: z.boolean().default(true),
})

const headerRules = {
  request_headers_to_add: z.array(headerValueOption).default([]),
  request_headers_to_remove: z.array(headerName).default([]),
  response_headers_to_add: z.array(headerValueOption).default([]),
  response_headers_to_remove: z.array(headerName).default([]),
}

/** Envoy's RegexMatcher: RE2 syntax, checked here so an unsupported pattern is listed with the rest. */
const regex = z.strictObject({
  regex: z.string().superRefine((text, ctx) => {
    const problem = safeRegexProblem(text)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  }).describe('RE2 syntax (linear time); the whole value must match'),
  google_re2: z.strictObject({}).optional(),
})

const stringMatch = z.strictObject({
  exact: z.string().optional(),
  prefix: z.string().optional(),
  suffix: z.string().optional(),
  contains: z.string().optional(),
  safe_regex: regex.optional(),
  ignore_case: z.boolean().optional(),
})

const headerMatcher = z.strictObject({
  name: headerName,
  exact_match: z.string().optional(),
  prefix_match: z.string().optional(),
  suffix_match: z.string().optional(),
  contains_match: z.string().optional(),
  safe_regex_match: regex.optional(),
  present_match: z.boolean().optional(),
  string_match: stringMatch.optional(),
  invert_match: z.boolean().default(false),
})

const retryOn = z
  .string()
  .transform((s) => s.split(',').map((part) => part.trim()).filter(Boolean))
  .pipe(z.array(z.enum(['5xx', 'gateway-error', 'connect-failure', 'reset', 'retriable-status-codes', 'retriable-4xx'])))

const retryPolicy = z.strictObject({
  retry_on: retryOn,
  num_retries: int(0, 10).default(DEFAULTS.numRetries),
  per_try_timeout: duration.optional(),
  retriable_status_codes: z.array(int(100, 599, 'status code')).default([]),
  retry_back_off: z.strictObject({ base_interval: positiveDuration, max_interval: positiveDuration.optional() }).optional(),
})

const routeMatch = z.strictObject({
  prefix: z.string().optional(),
  path: z.string().optional(),
  safe_regex: regex.optional(),
  case_sensitive: z.boolean().default(true),
  headers: z.array(headerMatcher).default([]),
})

/** Envoy's RouteAction.HashPolicy: exactly one source, optionally terminal. */
const hashPolicy = z
  .strictObject({
    header: z.strictObject({ header_name: headerName }).optional(),
    cookie: z.strictObject({ name }).optional(),
    query_parameter: z.strictObject({ name }).optional(),
    connection_properties: z.strictObject({ source_ip: z.literal(true, { error: 'only source_ip: true is supported' }) }).optional(),
    terminal: z.boolean().default(false),
  })
  .refine((p) => [p.header, p.cookie, p.query_parameter, p.connection_properties].filter(Boolean).length === 1, {
    error: 'needs exactly one of header, cookie, query_parameter, connection_properties',
  })

const routeAction = z.strictObject({
  cluster: name.optional(),
  weighted_clusters: z
    .strictObject({ clusters: z.array(z.strictObject({ name, weight: int(0, 1_000_000, 'weight') })).min(1) })
    .optional(),
  prefix_rewrite: z.string().optional(),
  host_rewrite: z.string().optional(),
  host_rewrite_literal: z.string().optional(),
  timeout: duration.optional(),
  idle_timeout: duration.optional(),
  retry_policy: retryPolicy.optional(),
  upgrade_configs: upgradeConfigs.optional(),
  hash_policy: z.array(hashPolicy).default([]),
})

const route = z.strictObject({
  name: z.string().optional(),
  match: routeMatch,
  route: routeAction,
  decorator: z.strictObject({ operation: name }).optional(),
  /** The fault filter's settings for this route (Envoy's typed_per_filter_config). */
  fault: faultBlock(headerMatcher).optional(),
  ...headerRules,
})

const virtualHost = z.strictObject({
  name,
  domains: z.array(z.string().min(1)).min(1, 'needs at least one domain ("*" matches any Host)'),
  routes: z.array(route).default([]),
  retry_policy: retryPolicy.optional(),
  require_tls: requireTls.default('none'),
  /** The fault filter's settings for this host's routes that have none (Envoy's typed_per_filter_config). */
  fault: faultBlock(headerMatcher).optional(),
  ...headerRules,
})

/** Envoy's `tracing.custom_tags` entry: a tag name and exactly one source of its value. */
const customTag = z.union(
  [
    z.strictObject({ tag: name, literal: z.strictObject({ value: z.string() }) }),
    z.strictObject({ tag: name, environment: z.strictObject({ name, default_value: z.string().optional() }) }),
    z.strictObject({ tag: name, request_header: z.strictObject({ name: headerName, default_value: z.string().optional() }) }),
  ],
  {
    error:
      'expected { tag, literal: { value } }, { tag, environment: { name, default_value? } } or { tag, request_header: { name, default_value? } }',
  },
)

const listenerTracing = z.strictObject({
  operation_name: lowerEnum(['ingress', 'egress']).default('ingress'),
  random_sampling: percent.default(100),
  client_sampling: percent.default(100),
  overall_sampling: percent.default(100),
  custom_tags: z.array(customTag).default([]),
})

/**
 * Envoy's default line, edgeway's JSON, or a format of Envoy's command operators (text_format or
 * json_format, as Envoy's SubstitutionFormatString); the operators are checked in semantic-checks.ts.
 */
const accessLog = z.strictObject({
  format: lowerEnum(['text', 'json']).optional(),
  text_format: z.string().optional(),
  json_format: z.record(z.string(), z.unknown()).optional(),
  omit_empty_values: z.boolean().default(false),
  /** A file to append to (Envoy's file logger); absent = stdout. Relative: from the config's folder. */
  path: z.string().min(1).optional(),
})

const listener = z.strictObject({
  name,
  address: ipAddress.default(DEFAULTS.listenerAddress),
  port,
  stat_prefix: z.string().optional(),
  server_name: z.union([z.string(), z.literal(false)]).default(DEFAULTS.serverName),
  generate_request_id: z.boolean().default(true),
  always_set_request_id_in_response: z.boolean().default(false),
  use_remote_address: z.boolean().default(false),
  xff_num_trusted_hops: int(0, 10).default(0),
  trust_envoy_headers: z.boolean().default(false),
  add_user_agent: z.boolean().default(false),
  max_request_headers_kb: int(1, 8192, 'size in KiB').default(DEFAULTS.maxRequestHeadersKb),
  max_request_headers_count: int(1, 10_000, 'header fields').default(DEFAULTS.maxRequestHeadersCount),
  max_request_bytes: int(0, 2 ** 31, 'size in bytes').default(DEFAULTS.maxRequestBytes),
  per_request_buffer_limit_bytes: int(0, 2 ** 31, 'size in bytes').default(DEFAULTS.retryBufferBytes),
  idle_timeout: duration.optional(),
  normalize_path: z.boolean().default(DEFAULTS.normalizePath),
  merge_slashes: z.boolean().default(false),
  preserve_external_request_id: z.boolean().default(false),
  access_log: z.union([z.literal(false), accessLog]).default({ omit_empty_values: false }),
  tracing: listenerTracing.default({ operation_name: 'ingress', random_sampling: 100, client_sampling: 100, overall_sampling: 100, custom_tags: [] }),
  tls: downstreamTls.optional(),
  codec_type: codecType.default('auto'),
  http3: z.boolean().default(false),
  upgrade_configs: upgradeConfigs.default([]),
  fault: faultBlock(headerMatcher).optional(),
  virtual_hosts: z.array(virtualHost).min(1, 'needs at least one virtual host'),
})

const tracing = z.strictObject({
  zipkin: z.strictObject({
    url: z.url({ error: 'expected a URL like http://zipkin:9411/api/v2/spans' }),
    max_queue_size: int(1, 1_000_000).default(DEFAULTS.zipkin.maxQueueSize),
    max_export_batch_size: int(1, 100_000).default(DEFAULTS.zipkin.maxExportBatchSize),
    scheduled_delay: positiveDuration.optional(),
    export_timeout: positiveDuration.optional(),
    shared_span_context: z.boolean().default(DEFAULTS.zipkin.sharedSpanContext),
    b3_headers: lowerEnum(['multi', 'single', 'both']).default(DEFAULTS.zipkin.b3Headers),
    trace_id_128bit: z.boolean().default(false),
  }),
})

export const configSchema = z.strictObject({
  node: z.strictObject({ cluster: z.string().optional(), id: z.string().optional() }).default({}),
  admin: z.strictObject({ address: ipAddress.default(DEFAULTS.adminAddress), port }).optional(),
  listeners: z.array(listener).min(1, 'needs at least one listener'),
  clusters: z.array(cluster).default([]),
  tracing: tracing.optional(),
  layered_runtime: layeredRuntime.optional(),
})

export type ConfigFile = z.infer<typeof configSchema>

/** Envoy refuses a Maglev table whose size is not prime (the permutations need it). */
