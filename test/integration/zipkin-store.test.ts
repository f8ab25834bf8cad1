// The bundled Zipkin store over a real loopback listener, once per storage (memory, SQLite): every
// answer is checked against the official Zipkin v2 API file, bad batches are refused whole, gzip
// works, old traces are evicted.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { sampleTrace } from '../../tracing/zipkin-store/sample-trace.ts'
import { startZipkinStore } from '../../tracing/zipkin-store/start-zipkin-store.ts'
import { STORAGES, type StorageUnderTest } from '../../tracing/zipkin-store/storage/test-storages.ts'
import type { RunningZipkinStore, ServeFunction } from '../../tracing/zipkin-store/start-zipkin-store.ts'
import { definition, responseSchema, validateAgainst } from '../support/zipkin-spec.ts'
import { toResponses } from '../../src/upstream/to-response.ts'

/** Test-only stand-in for src/adapter's serve: Bun.serve on the requested loopback port. */
const bunServe: ServeFunction = async (options, handler) => {
  const server = Bun.serve({
    hostname: options.hostname,
    port: options.port,
    idleTimeout: options.idleTimeoutSeconds,
    maxRequestBodySize: options.maxRequestBodyBytes,
    development: false,
    fetch: (request, srv) => {
      const address = srv.requestIP(request)
      return toResponses(handler(request, { remoteAddress: address?.address ?? '', remotePort: address?.port ?? 0 }))
    },
  })
  return { port: server.port ?? 0, close: async () => void (await server.stop(true)) }
}

const TRACE_A = '4e441824ec2b6a44ffdc9bb9a6453df3'
const TRACE_B = '5af7183fb1d4cf5f'
const nowUs = Date.now() * 1000

const dir = mkdtempSync(join(tmpdir(), 'edgeway-zipkin-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function start(storage: StorageUnderTest, maxSpans = 1000): Promise<RunningZipkinStore> {
  return startZipkinStore({ hostname: '127.0.0.1', port: 0, maxSpans, storage: storage.storageOptions(dir) }, bunServe)
}

function post(store: RunningZipkinStore, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${store.url}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(5000),
  })
}

async function getJson(store: RunningZipkinStore, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${store.url}/api/v2${path}`, { signal: AbortSignal.timeout(5000) })
  const text = await response.text()
  return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text }
}

/** GET, expect 200 and an answer valid per the spec's schema for that path. */
async function getValid(store: RunningZipkinStore, path: string, specPath: string): Promise<unknown> {
  const { status, body } = await getJson(store, path)
  expect(status).toBe(200)
  expect(validateAgainst(responseSchema(specPath), body)).toEqual([])
  return body
}

for (const storage of STORAGES) {
  describe(`zipkin store API against zipkin2-api.yaml (${storage.name})`, () => {
    let store: RunningZipkinStore
    beforeAll(async () => {
      store = await start(storage)
      const batch = [...sampleTrace({ traceId: TRACE_A, startUs: nowUs - 5_000_000 }), ...sampleTrace({ traceId: TRACE_B, startUs: nowUs - 2_000_000, idPrefix: 'b2' })]
      // What we send must itself be a valid ListOfSpans.
      expect(validateAgainst(definition('ListOfSpans'), batch)).toEqual([])
      const response = await post(store, JSON.stringify(batch))
      expect(response.status).toBe(202)
    })
    afterAll(() => store.close())

    test('services, span names and remote services', async () => {
      expect(await getValid(store, '/services', '/services')).toEqual(['front-proxy', 'service1', 'service2'])
      // The spec file gives GET /spans the ListOfSpans schema, but its own description ("all the
      // span names") and every real Zipkin answer a list of names: check those as strings, like
      // /services. /remoteServices is not in the file; real Zipkin answers names there too.
      expect(await getValid(store, '/spans?serviceName=service2', '/services')).toEqual(['checkstock', 'ingress get /trace/2'])
      expect(await getValid(store, '/remoteServices?serviceName=front-proxy', '/services')).toEqual(['service1'])
      expect((await getJson(store, '/spans')).status).toBe(400)
      // Where Lens looks for the API when it is served under /zipkin/.
      const lens = await fetch(`${store.url}/zipkin/api/v2/services`)
      expect(await lens.json()).toEqual(['front-proxy', 'service1', 'service2'])
    })

    test('traces: newest first, every filter narrows', async () => {
      const all = (await getValid(store, '/traces', '/traces')) as { traceId: string }[][]
      expect(all.map((trace) => trace[0]!.traceId)).toEqual([TRACE_B, TRACE_A])
      expect(all[0]!.length).toBe(6)
      const count = async (query: string): Promise<number> => ((await getValid(store, `/traces?${query}`, '/traces')) as unknown[]).length
      expect(await count('serviceName=service2&spanName=checkstock')).toBe(2)
      expect(await count('serviceName=front-proxy&spanName=checkstock')).toBe(0)
      expect(await count('minDuration=12000')).toBe(2)
      expect(await count('minDuration=20000')).toBe(0)
      expect(await count('minDuration=1000&maxDuration=1500')).toBe(0)
      expect(await count(`annotationQuery=${encodeURIComponent('error and http.status_code=503')}`)).toBe(2)
      expect(await count(`annotationQuery=${encodeURIComponent('http.method=POST')}`)).toBe(0)
      expect(await count('annotationQuery=upstream%20reset')).toBe(2)
      expect(await count('limit=1')).toBe(1)
      // Trace A started 5 s ago, B 2 s ago: a 3.5 s window ending now holds only B.
      expect(await count(`endTs=${Math.floor(nowUs / 1000)}&lookback=3500`)).toBe(1)
      expect((await getJson(store, '/traces?minDuration=abc')).status).toBe(400)
    })

    test('trace by id, including the 64-bit form of a zero-padded 128-bit id', async () => {
      const trace = (await getValid(store, `/trace/${TRACE_A}`, '/trace/{traceId}')) as { id: string }[]
      expect(trace.length).toBe(6)
      await getValid(store, `/trace/${'0'.repeat(16)}${TRACE_B}`, '/trace/{traceId}')
      expect((await getJson(store, '/trace/00000000000000aa')).status).toBe(404)
      expect((await getJson(store, '/trace/not-hex')).status).toBe(400)
    })

    test('traceMany needs two unique ids', async () => {
      const traces = (await getValid(store, `/traceMany?traceIds=${TRACE_A},${TRACE_B},00000000000000aa`, '/traceMany')) as unknown[]
      expect(traces.length).toBe(2)
      expect((await getJson(store, `/traceMany?traceIds=${TRACE_A}`)).status).toBe(400)
      expect((await getJson(store, `/traceMany?traceIds=${TRACE_A},${TRACE_A}`)).status).toBe(400)
    })

    test('dependencies count each call once, errors from the error tag', async () => {
      const links = await getValid(store, `/dependencies?endTs=${Date.now()}&lookback=60000`, '/dependencies')
      expect(links).toEqual([
        { parent: 'front-proxy', child: 'service1', callCount: 2, errorCount: 0 },
        { parent: 'service1', child: 'service2', callCount: 2, errorCount: 2 },
      ])
      expect(await getValid(store, `/dependencies?endTs=${Math.floor(nowUs / 1000) - 60_000}&lookback=1000`, '/dependencies')).toEqual([])
      expect((await getJson(store, '/dependencies')).status).toBe(400)
    })

    test('autocomplete keys and values', async () => {
      const keys = (await getValid(store, '/autocompleteKeys', '/autocompleteKeys')) as string[]
      expect(keys).toContain('http.method')
      expect(await getValid(store, '/autocompleteValues?key=http.method', '/autocompleteValues')).toEqual(['GET'])
      expect(await getValid(store, '/autocompleteValues?key=not-configured', '/autocompleteValues')).toEqual([])
    })
  })

  describe(`zipkin store ingestion (${storage.name})`, () => {
    let store: RunningZipkinStore
    beforeAll(async () => {
      store = await start(storage, 8)
    })
    afterAll(() => store.close())

    const good = { traceId: 'aaaaaaaaaaaaaaaa', id: 'bbbbbbbbbbbbbbbb', name: 'ok', timestamp: nowUs, duration: 10, localEndpoint: { serviceName: 'svc' } }
    const badBatches: [string, string, string][] = [
      ['not JSON', '[{"traceId":', 'not valid JSON'],
      ['not an array', JSON.stringify(good), 'array'],
      ['bad id', JSON.stringify([good, { ...good, id: 'xyz' }]), 'spans[1].id'],
      ['bad kind', JSON.stringify([{ ...good, kind: 'SERVICE' }]), 'spans[0].kind'],
      ['string duration', JSON.stringify([{ ...good, duration: '10' }]), 'spans[0].duration'],
      ['non-string tag', JSON.stringify([{ ...good, tags: { retries: 2 } }]), 'spans[0].tags.retries'],
      ['missing traceId', JSON.stringify([{ id: good.id }]), 'spans[0].traceId'],
    ]
    for (const [label, body, reason] of badBatches) {
      test(`${label} → 400 with the reason, nothing stored`, async () => {
        const response = await post(store, body)
        expect(response.status).toBe(400)
        expect(await response.text()).toContain(reason)
        expect(store.store.spanCount).toBe(0)
        expect((await getJson(store, '/services')).body).toEqual([])
      })
    }

    test('gzip body is decoded; corrupt gzip is a 400', async () => {
      const response = await post(store, new Uint8Array(gzipSync(JSON.stringify([good]))), { 'content-encoding': 'gzip' })
      expect(response.status).toBe(202)
      expect((await getJson(store, '/services')).body).toEqual(['svc'])
      const corrupt = await post(store, new Uint8Array([31, 139, 8, 0, 1, 2, 3]), { 'content-encoding': 'gzip' })
      expect(corrupt.status).toBe(400)
    })

    test('halves of one span merge; oldest traces are evicted past maxSpans', async () => {
      const trace = (n: number) => `00000000000000${n.toString(16).padStart(2, '0')}`
      expect((await post(store, JSON.stringify([{ traceId: trace(1), id: 'cccccccccccccccc', timestamp: nowUs, localEndpoint: { serviceName: 'svc' } }]))).status).toBe(202)
      expect((await post(store, JSON.stringify([{ traceId: trace(1), id: 'cccccccccccccccc', name: 'late', duration: 99, tags: { k: 'v' } }]))).status).toBe(202)
      const merged = (await getJson(store, `/trace/${trace(1)}`)).body as Record<string, unknown>[]
      expect(merged).toEqual([{ traceId: trace(1), id: 'cccccccccccccccc', name: 'late', timestamp: nowUs, duration: 99, localEndpoint: { serviceName: 'svc' }, tags: { k: 'v' } }])
      // 1 span from the gzip test + 1 merged + 4 traces of 2 spans = 10 > 8: the two oldest traces go.
      for (let n = 2; n <= 5; n++) {
        const spans = [1, 2].map((i) => ({ traceId: trace(n), id: `d${n}${'0'.repeat(13)}${i}`, timestamp: nowUs + n, duration: 5 }))
        expect((await post(store, JSON.stringify(spans))).status).toBe(202)
      }
      expect(store.store.spanCount).toBe(8)
      expect((await getJson(store, `/trace/${good.traceId}`)).status).toBe(404)
      expect((await getJson(store, `/trace/${trace(1)}`)).status).toBe(404)
      expect((await getJson(store, `/trace/${trace(2)}`)).status).toBe(200)
      expect((await getJson(store, `/trace/${trace(5)}`)).status).toBe(200)
    })
  })
}
