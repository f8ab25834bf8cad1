// The shipped listener handler, built as the CLI builds it (handlerFactory) on a bench config with
// static clusters, for the in-process micro-benches (handler-cost.ts, request-heap.ts).

import { FdSink, systemTimers } from '../src/log/fd-sink.ts'
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_FLUSH_MIN_BYTES } from '../src/access-log/line-buffer.ts'
import { AccessLogOutputs } from '../src/access-log/outputs.ts'
import { DEFAULTS } from '../src/config/defaults.ts'
import { parseConfig } from '../src/config/load-config.ts'
import { InFlight } from '../src/listener/drain.ts'
import { handlerFactory } from '../src/lifecycle/generation.ts'
import { EMPTY_RUNTIME } from '../src/layered-runtime/layered-runtime.ts'
import type { RequestTracer } from '../src/proxy/request-tracer.ts'
import type { FetchHandler, Runtime } from '../src/runtime.ts'
import { StatsStore } from '../src/stats/stats-store.ts'
import { ClusterManager } from '../src/upstream/cluster-manager.ts'
import { systemClock } from '../src/upstream/clock.ts'

/** The listener fault filter of the shipped routes/front-proxy.yaml: abort at 0 %. */
export const FAULT_LINE = '    fault: { abort: { http_status: 503, percentage: { numerator: 0 } } }'

/** Adds FAULT_LINE to the bench config's listener. */
export const withFaultFilter = (yaml: string): string => yaml.replace('    access_log: false\n', `    access_log: false\n${FAULT_LINE}\n`)

/** `tracer` gets the handler's stats store, as the tracer's stats live there, and the runtime. */
export async function listenerHandler(
  yaml: string,
  runtime: Runtime,
  tracer?: (stats: StatsStore, runtime: Runtime) => Promise<RequestTracer>,
): Promise<FetchHandler> {
  const config = parseConfig(yaml, 'bench.yaml', { env: () => undefined })
  const stats = new StatsStore()
  const clusters = new ClusterManager(config.clusters, { resolverFor: () => { throw new Error('static clusters only') }, stats, clock: systemClock })
  const factory = handlerFactory({
    runtime,
    stats,
    clusters,
    tracer: tracer ? await tracer(stats, runtime) : undefined,
    write: () => {},
    accessLogs: devNullAccessLogs(),
    log: (line) => console.error(line),
    inFlight: new InFlight(),
    closeConnections: () => false,
    layeredRuntime: EMPTY_RUNTIME(),
  })
  return factory(config.listeners[0]!)
}

/**
 * The tracer of the traced bench peer (100 %, the real Zipkin exporter: encoding, body buffer and
 * batching as shipped) with the collector's answer faked: the exporter's JS stays in the figure, the socket to
 * the collector does not.
 */
export async function benchTracer(stats: StatsStore, runtime?: Pick<Runtime, 'sequentialStrings'>): Promise<RequestTracer> {
  const { setupTracing } = await import('../tracing/index.ts')
  const { createRequestTracer } = await import('../tracing/request-tracer.ts')
  const tracing = setupTracing({
    serviceName: 'bench',
    nodeId: 'bench',
    stats: stats.tracing(),
    // The traced peer's export settings (bench/peers/edgeway.ts): the large queue, the shipped batch and delay.
    zipkin: { url: 'http://127.0.0.1:9/api/v2/spans', maxQueueSize: 200000, maxExportBatchSize: DEFAULTS.zipkin.maxExportBatchSize, scheduledDelayMs: DEFAULTS.zipkin.scheduledDelayMs, exportTimeoutMs: DEFAULTS.zipkin.exportTimeoutMs },
    sequentialStrings: runtime?.sequentialStrings,
    // As src/main.ts wires it for an http:// collector: the batch encoded into the exporter's body
    // buffer and handed to the HTTP/1.1 client (here a fake that answers at once), not fetch.
    upstreamFetch: async (request) => {
      void (request.body as Uint8Array).byteLength
      return new Response(null, { status: 202 })
    },
  })
  return createRequestTracer({ tracing, listenerStats: (l) => stats.listener(l.statPrefix), sequentialStrings: runtime?.sequentialStrings })
}

/**
 * The CLI's access-log path (LineBuffer into FdSink, shipped flush size and interval) with /dev/null
 * as stdout: the logged mode pays for encoding and writing its lines, as the logged bench peer does,
 * and only the kernel's copy into a file or pipe is left out. (A no-op writer here once hid the
 * cost of flattening the buffered string at each flush: bench/README.md's access-log section.)
 */
function devNullAccessLogs(): AccessLogOutputs {
  const sink = new FdSink('/dev/null', { log: (line) => console.error(line), timers: systemTimers })
  return new AccessLogOutputs({ flushIntervalMs: DEFAULT_FLUSH_INTERVAL_MS, flushMinBytes: DEFAULT_FLUSH_MIN_BYTES, timers: systemTimers, stdout: sink, stderr: sink, file: () => sink })
}
