// Every default in one table. Envoy's value unless a comment says otherwise.

export const DEFAULTS = {
  listenerAddress: '0.0.0.0',
  adminAddress: '127.0.0.1',
  serverName: 'edgeway',
  routeTimeoutMs: 15_000,
  numRetries: 1,
  retryBaseIntervalMs: 25,
  connectTimeoutMs: 5_000,
  dnsRefreshRateMs: 5_000,
  /** Envoy's initial_fetch_timeout is 15 s; a listener waiting that long on one dead name looks hung. */
  initialFetchTimeoutMs: 5_000,
  maxRequestHeadersKb: 60,
  /** Envoy's max_headers_count (common_http_protocol_options), for the requests a listener takes. */
  maxRequestHeadersCount: 100,
  /** 0 = no limit on streamed bodies (Envoy's router streams without a cap). */
  maxRequestBytes: 0,
  /** Envoy's per_connection_buffer_limit_bytes: what a retry may replay. */
  retryBufferBytes: 1024 * 1024,
  /** Bun closes connections silent this long; must exceed route timeouts (Bun caps it at 255 s). */
  idleTimeoutMs: 120_000,
  /**
   * Envoy's default is false. Bun removes dot-segments from every request URL before edgeway sees
   * it, so true is the only default both runtimes can honour alike.
   */
  normalizePath: true,
  outlierBaseEjectionTimeMs: 30_000,
  /** Envoy's healthy_panic_threshold default, percent of ready endpoints. */
  healthyPanicThreshold: 50,
  circuitBreakers: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3, trackRemaining: false },
  /** sharedSpanContext: Envoy's default is true; edgeway's is its separate-span model (README, Tracing). */
  zipkin: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMs: 1_000, exportTimeoutMs: 5_000, sharedSpanContext: false, b3Headers: 'multi' },
} as const
