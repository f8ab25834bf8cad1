// The listener `tls:` block, named after Envoy's DownstreamTlsContext (common_tls_context fields
// flattened one level), plus the protocol switches that ride on a listener: codec, HTTP/3, upgrades.

import { z } from 'zod'

/** Envoy's DataSource: a file (relative paths resolve against the config file's folder) or inline PEM. */
export const dataSource = z
  .strictObject({ filename: z.string().min(1).optional(), inline_string: z.string().min(1).optional() })
  .refine((s) => (s.filename === undefined) !== (s.inline_string === undefined), 'needs exactly one of filename, inline_string')

const tlsVersion = z.enum(['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'], {
  error: (issue) => `expected one of TLS_AUTO | TLSv1_2 | TLSv1_3, got ${JSON.stringify(issue.input)}`,
})

const tlsCertificate = z.strictObject({
  certificate_chain: dataSource,
  private_key: dataSource,
  /** SNI names this certificate answers (Envoy: the filter chain's filter_chain_match.server_names). */
  server_names: z.array(z.string().min(1)).default([]),
})

export const downstreamTls = z.strictObject({
  tls_certificates: z.array(tlsCertificate).min(1, 'needs at least one certificate'),
  alpn_protocols: z.array(z.enum(['h2', 'http/1.1'])).default(['h2', 'http/1.1']),
  tls_params: z
    .strictObject({ tls_minimum_protocol_version: tlsVersion.default('TLS_AUTO'), tls_maximum_protocol_version: tlsVersion.default('TLS_AUTO') })
    .default({ tls_minimum_protocol_version: 'TLS_AUTO', tls_maximum_protocol_version: 'TLS_AUTO' }),
  require_client_certificate: z.boolean().default(false),
  validation_context: z.strictObject({ trusted_ca: dataSource }).optional(),
})

export type FileDownstreamTls = z.infer<typeof downstreamTls>

/** Envoy's StringMatcher as match_subject_alt_names uses it: exactly one of exact, prefix, suffix, contains. */
const sanMatcher = z
  .strictObject({ exact: z.string().min(1).optional(), prefix: z.string().min(1).optional(), suffix: z.string().min(1).optional(), contains: z.string().min(1).optional() })
  .refine((m) => [m.exact, m.prefix, m.suffix, m.contains].filter((v) => v !== undefined).length === 1, 'needs exactly one of exact, prefix, suffix, contains')

/**
 * A cluster's `tls:` block, named after Envoy's UpstreamTlsContext (common_tls_context flattened).
 * Without validation_context the upstream is not verified, as in Envoy; `insecure_skip_verify`
 * says so on purpose (tests, self-signed upstreams) and silences the load-time warning.
 */
export const upstreamTls = z.strictObject({
  sni: z.string().min(1).optional(),
  alpn_protocols: z.array(z.enum(['h2', 'http/1.1'])).optional(),
  tls_certificates: z
    .array(z.strictObject({ certificate_chain: dataSource, private_key: dataSource }))
    .max(1, 'one client certificate per cluster')
    .default([]),
  validation_context: z.strictObject({ trusted_ca: dataSource, match_subject_alt_names: z.array(sanMatcher).default([]) }).optional(),
  insecure_skip_verify: z.boolean().default(false),
})

export type FileUpstreamTls = z.infer<typeof upstreamTls>

/** Envoy's HCM codec_type, in either case. */
export const codecType = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['auto', 'http1', 'http2'], { error: (issue) => `expected one of AUTO | HTTP1 | HTTP2, got ${JSON.stringify(issue.input)}` }))

/** Envoy's upgrade_configs (HCM and route level); only websocket is proxied. */
export const upgradeConfigs = z.array(
  z.strictObject({
    upgrade_type: z.string().transform((s) => s.toLowerCase()).pipe(z.literal('websocket', { error: 'only "websocket" upgrades are proxied' })),
    enabled: z.boolean().default(true),
  }),
)

export const requireTls = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['none', 'external_only', 'all'], { error: (issue) => `expected one of NONE | EXTERNAL_ONLY | ALL, got ${JSON.stringify(issue.input)}` }))
