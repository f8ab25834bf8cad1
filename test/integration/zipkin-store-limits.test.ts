// The bundled Zipkin store as a real child process (`edgeway zipkin`) on Bun and Deno, fed hostile
// input: a ~1 MB gzip body that inflates to 1 GiB (413, peak RSS barely moves) and one trace of
// 110k spans (answered promptly, capped per trace, counted and logged), and it keeps serving.

import { afterAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { createGzip, gzipSync } from 'node:zlib'
import { ProcessGroup } from '../support/edgeway-processes.ts'
import { unusedPort } from '../support/sockets.ts'

const group = new ProcessGroup()
afterAll(() => group.stopAll(), 20_000)

// Generous for a loaded 2-core machine; without the fixes the bomb took 2 GB and the trace minutes.
const BOUND_MS = 20_000
const MiB = 1024 * 1024

/** Peak resident set of a process so far (Linux VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]) / 1024
}

async function store(runtime: 'bun' | 'deno', args: string[] = []): Promise<{ url: string; pid: number; stderr: () => string }> {
  const port = await unusedPort()
  const child = group.spawn(['zipkin', '--port', String(port), ...args], {}, runtime)
  await child.waitFor('zipkin store listening on', 30_000)
  return { url: `http://127.0.0.1:${port}`, pid: child.child.pid!, stderr: child.stderr }
}

const postSpans = (url: string, body: Uint8Array | string, gzip: boolean) =>
  fetch(`${url}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(gzip && { 'content-encoding': 'gzip' }) },
    body: typeof body === 'string' ? body : new Uint8Array(body),
    signal: AbortSignal.timeout(BOUND_MS),
  })

/** One gzip member of `bytes` zeros, deflated as it is written (never held inflated). */
async function gzipBomb(bytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 6, chunkSize: MiB })
  const chunks: Buffer[] = []
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk))
  const ended = new Promise((resolve) => gzip.on('end', resolve))
  const zeros = Buffer.alloc(16 * MiB)
  for (let written = 0; written < bytes; written += zeros.length) {
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve))
  }
  gzip.end()
  await ended
  return Buffer.concat(chunks)
}

const hexId = (n: number) => n.toString(16).padStart(16, '0')
const nowUs = Date.now() * 1000

for (const runtime of ['bun', 'deno'] as const) {
  describe(`zipkin store on ${runtime}`, () => {
    test('a 1 MB gzip body inflating to 1 GiB: 413, peak RSS grows by less than 100 MiB, the store keeps serving', async () => {
      const zipkin = await store(runtime)
      const bomb = await gzipBomb(1024 * MiB)
      expect(bomb.byteLength).toBeLessThan(1.1 * MiB)
      const warm = await postSpans(zipkin.url, gzipSync('[]'), true)
      expect(warm.status).toBe(202)
      const before = peakRssMiB(zipkin.pid)
      const response = await postSpans(zipkin.url, bomb, true)
      expect(response.status).toBe(413)
      expect(await response.text()).toBe(`decompressed body exceeds ${16 * MiB} bytes`)
      const growth = peakRssMiB(zipkin.pid) - before
      expect(growth).toBeLessThan(100)
      const span = { traceId: hexId(0xabc), id: hexId(1), name: 'get', timestamp: nowUs, duration: 5, localEndpoint: { serviceName: 'after-bomb' } }
      expect((await postSpans(zipkin.url, gzipSync(JSON.stringify([span])), true)).status).toBe(202)
      expect(await (await fetch(`${zipkin.url}/api/v2/services`)).json()).toEqual(['after-bomb'])
    }, 90_000)

    test('one trace of 110k spans: stored up to --max-spans-per-trace, the rest counted and logged once, answered promptly', async () => {
      const zipkin = await store(runtime, ['--max-spans', '200000', '--max-spans-per-trace', '100000'])
      const traceId = hexId(0xbeef)
      const spans = Array.from({ length: 110_000 }, (_, i) => ({ traceId, id: hexId(i + 1), name: 'op', timestamp: nowUs + i, duration: 1, localEndpoint: { serviceName: 'batch' } }))
      const body = gzipSync(JSON.stringify(spans))
      const started = performance.now()
      const response = await postSpans(zipkin.url, body, true)
      expect(response.status).toBe(202)
      // A linear search per span made this ~5 billion comparisons (minutes of a blocked store).
      expect(performance.now() - started).toBeLessThan(BOUND_MS)
      const health = (await (await fetch(`${zipkin.url}/health`)).json()) as { zipkin: { details: { spans: number; droppedSpans: number } } }
      expect(health.zipkin.details).toEqual({ spans: 100_000, droppedSpans: 10_000 })
      const trace = (await (await fetch(`${zipkin.url}/api/v2/trace/${traceId}`, { signal: AbortSignal.timeout(BOUND_MS) })).json()) as unknown[]
      expect(trace.length).toBe(100_000)
      const lines = zipkin.stderr().split('\n').filter((line) => line.includes(`trace ${traceId} reached 100000 spans`))
      expect(lines.length).toBe(1)
    }, 90_000)
  })
}
