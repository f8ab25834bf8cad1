// The sample service behind the sidecars: hello lines, trace-header forwarding to service 2
// through the egress URL, injected error rate and latency, and the real process on a real port.

import { describe, expect, test } from 'bun:test'
import { spawn, type ChildProcess } from 'node:child_process'
import { buildServiceApp, TRACE_HEADERS, type ServiceDeps } from '../../compose/service/app.ts'
import { readServiceSettings } from '../../compose/service/service-env.ts'
import { ManualClock, flush } from '../support/manual-clock.ts'

const BUN = `${process.cwd()}/node_modules/.bin/bun`

/** mulberry32: a seeded uniform generator, so "20 % errors" is checked on a fixed sequence. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Seen = { url: string; headers: Headers }

function deps(overrides: Partial<ServiceDeps> = {}): { deps: ServiceDeps; seen: Seen[] } {
  const seen: Seen[] = []
  return {
    seen,
    deps: {
      serviceName: '1',
      hostname: 'replica-a',
      replicaAddress: '10.0.0.7',
      egressUrl: 'http://127.0.0.1:9000',
      fetch: async (request) => {
        seen.push({ url: request.url, headers: request.headers })
        return new Response('downstream ok\n')
      },
      random: () => 0.99,
      clock: new ManualClock(),
      errorRatePercent: 0,
      latencyMs: 0,
      egressTimeoutMs: 1000,
      ...overrides,
    },
  }
}

const HELLO_1 = 'Hello from behind edgeway (service 1)! hostname: replica-a resolvedhostname: 10.0.0.7\n'

describe('sample service app', () => {
  test('GET /service/:n answers the hello line of SERVICE_NAME, as service.py, with its content type', async () => {
    const app = buildServiceApp(deps().deps)
    const response = await app.request('/service/1')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await response.text()).toBe(HELLO_1)
    // The number in the body is the replica's own, not the URL's: misrouting stays visible.
    expect(await (await app.request('/service/7')).text()).toBe(HELLO_1)
  })

  test('/healthz answers ok and ignores the injected faults', async () => {
    const app = buildServiceApp(deps({ errorRatePercent: 100, latencyMs: 60_000 }).deps)
    const response = await app.request('/healthz')
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('ok')
  })

  test('service 1 /trace calls <egress>/trace/2 forwarding x-request-id and every B3 header it received', async () => {
    const { deps: d, seen } = deps()
    const app = buildServiceApp(d)
    const sent: Record<string, string> = {
      'x-request-id': 'c2a4b1e0-1111-4222-8333-944445555666',
      'x-b3-traceid': '80f198ee56343ba864fe8b2a57d3eff7',
      'x-b3-spanid': 'e457b5a2e4d86bd1',
      'x-b3-parentspanid': '05e3ac9a4f6e3b90',
      'x-b3-sampled': '1',
      'x-b3-flags': '1',
      b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90',
      'x-ot-span-context': 'abc;def',
    }
    const response = await app.request('/trace/1', { headers: { ...sent, 'x-unrelated': 'no', authorization: 'Bearer secret' } })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(HELLO_1)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.url).toBe('http://127.0.0.1:9000/trace/2')
    for (const name of TRACE_HEADERS) expect(seen[0]!.headers.get(name)).toBe(sent[name]!)
    expect(seen[0]!.headers.get('x-unrelated')).toBeNull()
    expect(seen[0]!.headers.get('authorization')).toBeNull()
  })

  test('service 1 /trace forwards only the trace headers that were present', async () => {
    const { deps: d, seen } = deps({ egressUrl: 'http://127.0.0.5:9100/' })
    await buildServiceApp(d).request('/trace/1', { headers: { 'x-request-id': 'abc' } })
    expect(seen[0]!.url).toBe('http://127.0.0.5:9100/trace/2')
    expect([...seen[0]!.headers.keys()]).toEqual(['x-request-id'])
  })

  test('service 1 /trace answers 503 with the downstream status when service 2 fails', async () => {
    const { deps: d } = deps({ fetch: async () => new Response('no healthy upstream', { status: 503 }) })
    const response = await buildServiceApp(d).request('/trace/1')
    expect(response.status).toBe(503)
    expect(await response.text()).toBe(`${HELLO_1}service 2 failed: status 503\n`)
  })

  test('service 1 /trace answers 503 when the egress sidecar cannot be reached', async () => {
    const { deps: d } = deps({ fetch: async () => Promise.reject(new TypeError('connection refused')) })
    const response = await buildServiceApp(d).request('/trace/1')
    expect(response.status).toBe(503)
    expect(await response.text()).toBe(`${HELLO_1}service 2 failed: error connection refused\n`)
  })

  test('service 1 /trace gives up on a silent service 2 after egressTimeoutMs', async () => {
    const clock = new ManualClock()
    const fetch = (request: Request) =>
      new Promise<Response>((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)))
    const app = buildServiceApp(deps({ clock, fetch, egressTimeoutMs: 2000 }).deps)
    const pending = Promise.resolve(app.request('/trace/1'))
    await clock.advance(1999)
    let settled = false
    void pending.then(() => (settled = true))
    await flush()
    expect(settled).toBe(false)
    await clock.advance(1)
    const response = await pending
    expect(response.status).toBe(503)
    expect(await response.text()).toEndWith('service 2 failed: timeout after 2000ms\n')
  })

  test('service 2 /trace answers without calling anyone', async () => {
    const { deps: d, seen } = deps({ serviceName: '2' })
    const response = await buildServiceApp(d).request('/trace/2', { headers: { 'x-request-id': 'abc' } })
    expect(response.status).toBe(200)
    expect(await response.text()).toStartWith('Hello from behind edgeway (service 2)!')
    expect(seen).toHaveLength(0)
  })

  test('ERROR_RATE 20 fails about 20 % of 2000 requests on a seeded sequence, with 500 and a nonce', async () => {
    const app = buildServiceApp(deps({ errorRatePercent: 20, random: seededRandom(1234) }).deps)
    let failed = 0
    for (let i = 0; i < 2000; i++) {
      const response = await app.request('/service/1')
      if (response.status === 500) {
        failed++
        expect(await response.text()).toMatch(/^Service 1: Ooops\.\.\. nonce \d+\n$/)
      } else expect(response.status).toBe(200)
    }
    expect(failed).toBeGreaterThan(340)
    expect(failed).toBeLessThan(460)
  })

  test('ERROR_RATE 0 never fails and 100 always fails, whatever random says', async () => {
    for (const r of [0, 0.5, 0.999999]) {
      expect((await buildServiceApp(deps({ errorRatePercent: 0, random: () => r }).deps).request('/service/1')).status).toBe(200)
      expect((await buildServiceApp(deps({ errorRatePercent: 100, random: () => r }).deps).request('/trace/1')).status).toBe(500)
    }
  })

  test('LATENCY_MS delays the answer by that much on the injected clock', async () => {
    const clock = new ManualClock()
    const app = buildServiceApp(deps({ clock, latencyMs: 300 }).deps)
    let settled = false
    const pending = Promise.resolve(app.request('/service/1')).then((r) => ((settled = true), r))
    await clock.advance(299)
    expect(settled).toBe(false)
    await clock.advance(1)
    expect((await pending).status).toBe(200)
    expect(settled).toBe(true)
  })
})

describe('sample service settings', () => {
  const env = (values: Record<string, string>) => (name: string) => values[name]

  test('defaults: 127.0.0.1:8080, egress http://127.0.0.1:9000, no faults', () => {
    expect(readServiceSettings(env({ SERVICE_NAME: '1' }))).toEqual({
      settings: {
        serviceName: '1',
        address: '127.0.0.1',
        port: 8080,
        replicaAddress: undefined,
        egressUrl: 'http://127.0.0.1:9000',
        errorRatePercent: 0,
        latencyMs: 0,
        egressTimeoutMs: 10_000,
      },
      problems: [],
    })
  })

  test('every bad variable is reported, together', () => {
    const result = readServiceSettings(env({ PORT: '80x', ERROR_RATE: '101', LATENCY_MS: '-1', EGRESS_URL: 'nope' }))
    expect(result.settings).toBeUndefined()
    expect(result.problems).toEqual([
      'SERVICE_NAME: required ("1" or "2")',
      'EGRESS_URL: expected a URL like http://127.0.0.1:9000, got "nope"',
      'PORT: expected an integer 0-65535, got "80x"',
      'ERROR_RATE: expected a number 0-100, got "101"',
      'LATENCY_MS: expected an integer 0-600000, got "-1"',
    ])
  })
})

describe('sample service process (bun compose/service/main.ts)', () => {
  async function start(env: Record<string, string>): Promise<{ child: ChildProcess; port: number; exited: Promise<number | null> }> {
    const child = spawn(BUN, ['compose/service/main.ts'], { env: { PATH: process.env.PATH ?? '', PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('sample service did not print its port within 5s')), 5000)
      let out = ''
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const match = /listening on [\d.]+:(\d+)/.exec(out)
        if (match) {
          clearTimeout(timer)
          resolve(Number(match[1]))
        }
      })
      void exited.then((code) => reject(new Error(`sample service exited early with ${code}`)))
    })
    return { child, port, exited }
  }

  test('service 1 reaches service 2 at EGRESS_URL over real sockets and both stop cleanly on SIGTERM', async () => {
    const two = await start({ SERVICE_NAME: '2', HOST: '127.0.0.2', REPLICA_ADDRESS: '127.0.0.2' })
    // No sidecar here: service 1's egress URL points straight at service 2.
    const one = await start({ SERVICE_NAME: '1', HOST: '127.0.0.1', REPLICA_ADDRESS: '127.0.0.1', EGRESS_URL: `http://127.0.0.2:${two.port}` })
    try {
      const response = await fetch(`http://127.0.0.1:${one.port}/trace/1`, { headers: { 'x-request-id': 'rid-1' }, signal: AbortSignal.timeout(5000) })
      expect(response.status).toBe(200)
      expect(await response.text()).toMatch(/^Hello from behind edgeway \(service 1\)! hostname: \S+ resolvedhostname: 127\.0\.0\.1\n$/)
      const health = await fetch(`http://127.0.0.2:${two.port}/healthz`, { signal: AbortSignal.timeout(5000) })
      expect(await health.text()).toBe('ok')
    } finally {
      one.child.kill('SIGTERM')
      two.child.kill('SIGTERM')
    }
    expect(await one.exited).toBe(0)
    expect(await two.exited).toBe(0)
  })

  test('service 1 answers 503 when nothing listens at its egress URL', async () => {
    // Port 1 on loopback is closed on any sane machine: connection refused, not a hang.
    const one = await start({ SERVICE_NAME: '1', HOST: '127.0.0.1', EGRESS_URL: 'http://127.0.0.3:1' })
    try {
      const response = await fetch(`http://127.0.0.1:${one.port}/trace/1`, { signal: AbortSignal.timeout(5000) })
      expect(response.status).toBe(503)
      expect(await response.text()).toContain('service 2 failed: error')
    } finally {
      one.child.kill('SIGTERM')
    }
    expect(await one.exited).toBe(0)
  })

  test('a bad environment exits 1 before listening', async () => {
    const child = spawn(BUN, ['compose/service/main.ts'], { env: { PATH: process.env.PATH ?? '', ERROR_RATE: 'lots' }, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).toBe(1)
    expect(err).toContain('SERVICE_NAME: required')
    expect(err).toContain('ERROR_RATE: expected a number 0-100, got "lots"')
  })
})
