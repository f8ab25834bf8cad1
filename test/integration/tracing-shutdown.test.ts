// SIGTERM flushes: a proxy process holding spans behind a 30 s export delay sends every one of them
// to the collector before it exits 0; a slow or dead collector delays the exit only by a bounded time.

import { afterAll, afterEach, expect, test } from 'bun:test'
import { ProcessGroup, type ProxyProcess } from '../support/edgeway-processes.ts'
import type { EdgewayProcess } from '../support/edgeway.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { startZipkinSink, type ZipkinSink } from '../support/zipkin-sink.ts'
import { definition, validateAgainst } from '../support/zipkin-spec.ts'

const REQUESTS = 5
const group = new ProcessGroup()
let app: Upstream | undefined
let sink: ZipkinSink | undefined

afterEach(async () => {
  await sink?.close()
  sink = undefined
})

afterAll(async () => {
  await group.stopAll()
  await app?.stop()
})

function yaml(upstreamPort: number, sinkUrl: string, batchSize: number): string {
  return `
node: { cluster: front-proxy, id: front-proxy-1 }
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: egress
    address: 127.0.0.1
    port: 0
    access_log: false
    tracing: { operation_name: egress }
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: app }
clusters:
  - name: app
    connect_timeout: 0.25s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstreamPort} }] }
tracing:
  zipkin: { url: "${sinkUrl}", scheduled_delay: 30s, max_export_batch_size: ${batchSize}, export_timeout: 5s }
`
}

/** Starts a proxy reporting to `sink`, sends REQUESTS requests, and checks nothing was exported yet. */
async function proxyWithQueuedSpans(name: string, collector: ZipkinSink, batchSize = 512): Promise<ProxyProcess> {
  app ??= await startUpstream({ name: 'app' })
  const proxy = await group.proxy(name, yaml(app.port, collector.url, batchSize), { ZIPKIN_URL: '' })
  for (let i = 0; i < REQUESTS; i++) {
    const response = await fetch(`${proxy.url('egress')}/request/${i}`, { signal: AbortSignal.timeout(5000) })
    expect(response.status).toBe(200)
    await response.arrayBuffer()
  }
  // Give the exporter a moment, so a span that was not held back would have been seen by now.
  await new Promise((resolve) => setTimeout(resolve, 300))
  return proxy
}

/** SIGTERM and the exit code, failing if the process outlives `timeoutMs`. */
async function terminate(child: EdgewayProcess, timeoutMs: number): Promise<{ code: number | null; elapsedMs: number }> {
  const started = performance.now()
  child.kill('SIGTERM')
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${timeoutMs} ms after SIGTERM; stdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`)), timeoutMs)
  })
  try {
    const code = await Promise.race([child.exited, timeout])
    return { code, elapsedMs: performance.now() - started }
  } finally {
    clearTimeout(timer)
  }
}

test('SIGTERM sends every queued span before the process exits 0', async () => {
  sink = await startZipkinSink()
  const proxy = await proxyWithQueuedSpans('flush', sink)
  // 10 spans, far below a batch: the 30 s delay holds every one of them.
  expect(sink.spans()).toHaveLength(0)

  const { code } = await terminate(proxy.process, 10_000)
  // Checked at the exit event: whatever arrives later was not flushed by the shutdown.
  const spans = sink.spans()
  expect(code).toBe(0)
  expect(proxy.process.stdout()).toContain('SIGTERM received, draining')
  expect(spans).toHaveLength(2 * REQUESTS)
  for (const report of sink.reports) expect(validateAgainst(definition('ListOfSpans'), report.body)).toEqual([])
  const requests = spans.filter((s) => !String(s.name).startsWith('router '))
  const attempts = spans.filter((s) => s.name === 'router app egress')
  expect(requests).toHaveLength(REQUESTS)
  expect(attempts).toHaveLength(REQUESTS)
  expect(new Set(spans.map((s) => s.traceId)).size).toBe(REQUESTS)
  for (const request of requests) {
    expect(request).toMatchObject({ kind: 'CLIENT', localEndpoint: { serviceName: 'front-proxy' } })
    expect(attempts.filter((a) => a.parentId === request.id && a.traceId === request.traceId)).toHaveLength(1)
  }
}, 40_000)

test('batches of 4 to a slow collector (300 ms per report): the last partial batch is flushed too', async () => {
  sink = await startZipkinSink({ delayMs: 300 })
  const proxy = await proxyWithQueuedSpans('slow', sink, 4)
  // Full batches may leave on size; 10 is not a multiple of 4, so something is always left for the flush.
  expect(sink.spans().length).toBeLessThan(2 * REQUESTS)
  const { code } = await terminate(proxy.process, 15_000)
  expect(code).toBe(0)
  expect(sink.spans()).toHaveLength(2 * REQUESTS)
}, 40_000)

test('a dead collector delays the exit by a bounded time only', async () => {
  sink = await startZipkinSink({ down: true })
  const proxy = await proxyWithQueuedSpans('dead', sink)
  const { code, elapsedMs } = await terminate(proxy.process, 15_000)
  expect(code).toBe(0)
  expect(sink.spans()).toHaveLength(0)
  // The shutdown flush is bounded (2 s by default); the rest is process teardown.
  expect(elapsedMs).toBeLessThan(6000)
}, 40_000)
