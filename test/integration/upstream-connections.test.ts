// Connection stats and connection circuit breakers through the real CLI, on each runtime's default
// upstream client (edgeway's HTTP/1.1 client on both): an upstream that counts its connections,
// keep-alive reuse (cx_total/_active, per endpoint in /clusters), connect failure against a closed
// port, connect timeout against a listener whose accept queue is full, upstream_cx_length_ms on
// close, max_connections (requests wait as pending, then are served on the one connection) and
// max_pending_requests (overflow: 503 UO, counted), and an HTTP/2 cluster's session as one connection.

import { afterAll, describe, expect, test } from 'bun:test'
import type net from 'node:net'
import { frontProxyYaml } from '../support/edgeway.ts'
import { eventually, ProcessGroup, type ProxyProcess } from '../support/edgeway-processes.ts'
import { startRecordingUpstream } from '../support/recording-upstream.ts'
import { startBlackHole, unusedEndpoint } from '../support/sockets.ts'
import { okResponse, reply, startScriptedUpstream, type ScriptedUpstream } from '../support/scripted-upstream.ts'

const RUNTIMES = ['bun', 'deno'] as const

/**
 * `/service/1/hold` answers only once the test lets it (`release()`), so requests stay in flight;
 * `/service/1/then-close` answers, then closes the kept-alive connection while it sits idle;
 * anything else answers at once with the number of its connection.
 */
async function countingUpstream() {
  const held: net.Socket[] = []
  const upstream = await startScriptedUpstream((request, socket) => {
    const path = request.head.split(' ')[1]
    if (path === '/service/1/hold') held.push(socket)
    else if (path === '/service/1/then-close') {
      reply(socket, okResponse('bye'))
      setTimeout(() => socket.end(), 50)
    } else reply(socket, okResponse(`#${request.connection}`))
  })
  const release = () => {
    for (const socket of held.splice(0)) reply(socket, okResponse('held'))
  }
  return { upstream, held: () => held.length, release }
}

/** The shared one-route front proxy, with a long route timeout so held requests stay pending. */
function yaml(endpoint: { address: string; port: number }, cluster = ''): string {
  return frontProxyYaml([endpoint], { listener: 'access_log: false', route: 'timeout: 10s', cluster })
}

async function stats(proxy: ProxyProcess): Promise<Map<string, number>> {
  const text = await (await fetch(`${proxy.url('admin')}/stats`)).text()
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = /^(cluster\.service1\.\S+): (\d+)$/.exec(line)
    if (match) values.set(match[1]!.slice('cluster.service1.'.length), Number(match[2]))
  }
  return values
}

async function histogramCount(proxy: ProxyProcess, name: string): Promise<number> {
  const json = (await (await fetch(`${proxy.url('admin')}/stats?format=json`)).json()) as {
    stats: { histograms?: { computed_quantiles: { name: string; values: { cumulative: number | null }[] }[] } }[]
  }
  const histograms = json.stats.find((s) => s.histograms)?.histograms
  const found = histograms?.computed_quantiles.find((h) => h.name === `cluster.service1.${name}`)
  return found ? found.values.filter((v) => v.cumulative !== null).length : 0
}

async function clusterLines(proxy: ProxyProcess): Promise<string[]> {
  return (await (await fetch(`${proxy.url('admin')}/clusters`)).text()).split('\n')
}

for (const runtime of RUNTIMES) {
  describe(`upstream connections on ${runtime}`, () => {
    const group = new ProcessGroup()
    const upstreams: ScriptedUpstream[] = []
    afterAll(async () => {
      await group.stopAll()
      await Promise.all(upstreams.map((u) => u.stop()))
    })
    // One process: each worker of a primary holds its own pools and breakers (the last test sums them).
    const start = (name: string, config: string, concurrency = 1) => group.proxy(`${name}-${runtime}`, config, {}, { runtime, args: ['--concurrency', String(concurrency)] })

    test('keep-alive reuse: one connection for sequential requests, counted per cluster and endpoint; a close ends it', async () => {
      const { upstream } = await countingUpstream()
      upstreams.push(upstream)
      const proxy = await start('reuse', yaml({ address: '127.0.0.1', port: upstream.port }))
      for (let i = 0; i < 5; i++) expect(await (await fetch(`${proxy.url('ingress_http')}/service/1`)).text()).toBe('#1')
      expect(upstream.connections()).toBe(1)
      let s = await stats(proxy)
      expect(s.get('upstream_cx_total')).toBe(1)
      expect(s.get('upstream_cx_http1_total')).toBe(1)
      expect(s.get('upstream_cx_active')).toBe(1)
      expect(s.get('upstream_rq_total')).toBe(5)
      expect(s.get('upstream_rq_pending_total')).toBe(1)
      expect(s.get('upstream_cx_tx_bytes_total')).toBeGreaterThan(5 * 'GET /service/1 HTTP/1.1\r\n'.length)
      expect(s.get('upstream_cx_rx_bytes_total')).toBeGreaterThanOrEqual(5 * okResponse('#1').length)
      expect(await histogramCount(proxy, 'upstream_cx_connect_ms')).toBeGreaterThan(0)
      const at = `service1::127.0.0.1:${upstream.port}::`
      const lines = await clusterLines(proxy)
      expect(lines).toContain(`${at}cx_total::1`)
      expect(lines).toContain(`${at}cx_active::1`)
      expect(lines).toContain(`${at}cx_connect_fail::0`)
      expect(lines).toContain(`${at}hostname::`)

      // The upstream closes the idle connection after this answer: it ends remotely and its length is recorded.
      expect(await (await fetch(`${proxy.url('ingress_http')}/service/1/then-close`)).text()).toBe('bye')
      s = await eventually('the closed connection counted', async () => {
        const now = await stats(proxy)
        return now.get('upstream_cx_destroy') === 1 ? now : undefined
      })
      expect(s.get('upstream_cx_destroy_remote')).toBe(1)
      expect(s.get('upstream_cx_destroy_local')).toBe(0)
      expect(s.get('upstream_cx_active')).toBe(0)
      expect(await histogramCount(proxy, 'upstream_cx_length_ms')).toBeGreaterThan(0)
      expect(await clusterLines(proxy)).toContain(`${at}cx_active::0`)
      // The next request opens a second connection.
      expect(await (await fetch(`${proxy.url('ingress_http')}/service/1`)).text()).toBe('#2')
      expect((await stats(proxy)).get('upstream_cx_total')).toBe(2)
    })

    test('a closed port: 503 UF, upstream_cx_connect_fail and the endpoint\'s cx_connect_fail, no connection left active', async () => {
      const closed = await unusedEndpoint()
      const proxy = await start('refused', yaml(closed))
      const response = await fetch(`${proxy.url('ingress_http')}/service/1`)
      expect(response.status).toBe(503)
      expect(await response.text()).toContain('connection failure')
      const s = await stats(proxy)
      expect(s.get('upstream_cx_connect_fail')).toBe(1)
      expect(s.get('upstream_cx_connect_timeout')).toBe(0)
      expect(s.get('upstream_cx_total')).toBe(1)
      expect(s.get('upstream_cx_active')).toBe(0)
      expect(s.get('upstream_cx_destroy_remote')).toBe(1)
      expect(await clusterLines(proxy)).toContain(`service1::${closed.address}:${closed.port}::cx_connect_fail::1`)
    })

    test('a listener that never accepts: connect_timeout ends the connect, counted as connect_timeout and connect_fail', async () => {
      const hole = await startBlackHole()
      try {
        const proxy = await start('blackhole', yaml({ address: '127.0.0.1', port: hole.port }))
        const response = await fetch(`${proxy.url('ingress_http')}/service/1`)
        expect(response.status).toBe(503)
        const s = await stats(proxy)
        expect(s.get('upstream_cx_connect_timeout')).toBe(1)
        expect(s.get('upstream_cx_connect_fail')).toBe(1)
        expect(s.get('upstream_cx_destroy_local')).toBe(1)
        expect(s.get('upstream_cx_active')).toBe(0)
      } finally {
        hole.stop()
      }
    })

    test('max_connections: 1: concurrent requests wait as pending, then are all served on the one connection', async () => {
      const { upstream, held, release } = await countingUpstream()
      upstreams.push(upstream)
      const proxy = await start('max-cx', yaml({ address: '127.0.0.1', port: upstream.port }, '    circuit_breakers: { thresholds: [{ max_connections: 1, track_remaining: true }] }'))
      const first = fetch(`${proxy.url('ingress_http')}/service/1/hold`)
      await eventually('the first request at the upstream', async () => (held() === 1 ? true : undefined))
      const others = Array.from({ length: 3 }, () => fetch(`${proxy.url('ingress_http')}/service/1`))
      const waiting = await eventually('three requests pending', async () => {
        const now = await stats(proxy)
        return now.get('upstream_rq_pending_active') === 3 ? now : undefined
      })
      expect(waiting.get('circuit_breakers.default.cx_open')).toBe(1)
      expect(waiting.get('circuit_breakers.default.remaining_cx')).toBe(0)
      expect(waiting.get('upstream_cx_overflow')).toBeGreaterThanOrEqual(1)
      expect(upstream.connections()).toBe(1)
      release()
      expect((await first).status).toBe(200)
      const answers = await Promise.all(others.map(async (r) => (await r).text()))
      expect(answers).toEqual(['#1', '#1', '#1'])
      const s = await stats(proxy)
      expect(s.get('upstream_rq_pending_active')).toBe(0)
      expect(s.get('upstream_rq_pending_total')).toBe(4)
      expect(s.get('upstream_cx_total')).toBe(1)
      expect(s.get('circuit_breakers.default.cx_open')).toBe(1)
      expect(upstream.connections()).toBe(1)
    })

    test('max_pending_requests: 1 (and 0): a request past the queue gets 503 UO, counted as pending overflow', async () => {
      const { upstream, held, release } = await countingUpstream()
      upstreams.push(upstream)
      const limits = '    circuit_breakers: { thresholds: [{ max_connections: 1, max_pending_requests: 1 }] }'
      const proxy = await start('max-pending', yaml({ address: '127.0.0.1', port: upstream.port }, limits))
      const first = fetch(`${proxy.url('ingress_http')}/service/1/hold`)
      await eventually('the first request at the upstream', async () => (held() === 1 ? true : undefined))
      const queued = fetch(`${proxy.url('ingress_http')}/service/1`)
      await eventually('one request pending', async () => ((await stats(proxy)).get('upstream_rq_pending_active') === 1 ? true : undefined))
      const refused = await fetch(`${proxy.url('ingress_http')}/service/1`)
      expect(refused.status).toBe(503)
      expect(await refused.text()).toBe('upstream connect error or disconnect/reset before headers. reset reason: overflow')
      const s = await stats(proxy)
      expect(s.get('upstream_rq_pending_overflow')).toBe(1)
      expect(s.get('circuit_breakers.default.rq_pending_open')).toBe(1)
      release()
      expect((await first).status).toBe(200)
      expect(await (await queued).text()).toBe('#1')

      const none = await start('no-pending', yaml({ address: '127.0.0.1', port: upstream.port }, '    circuit_breakers: { thresholds: [{ max_pending_requests: 0 }] }'))
      const before = upstream.connections()
      const zero = await fetch(`${none.url('ingress_http')}/service/1`)
      expect(zero.status).toBe(503)
      expect((await stats(none)).get('upstream_rq_pending_overflow')).toBe(1)
      expect(upstream.connections()).toBe(before)
    })

    test('an HTTP/2 (h2c) cluster: one session is one connection, counted as http2; a closed port is a connect failure', async () => {
      const h2c = await startRecordingUpstream(['h2c'])
      try {
        const proxy = await start('h2c', yaml({ address: '127.0.0.1', port: h2c.port }, '    http2_protocol_options: {}'))
        const answers = await Promise.all(Array.from({ length: 4 }, async () => (await fetch(`${proxy.url('ingress_http')}/service/1`)).status))
        expect(answers).toEqual([200, 200, 200, 200])
        const s = await stats(proxy)
        expect(s.get('upstream_cx_total')).toBe(1)
        expect(s.get('upstream_cx_http2_total')).toBe(1)
        expect(s.get('upstream_cx_http1_total')).toBe(0)
        expect(s.get('upstream_cx_active')).toBe(1)
        expect(s.get('upstream_rq_pending_total')).toBeGreaterThanOrEqual(1)
        expect(s.get('upstream_rq_pending_active')).toBe(0)
        expect(await clusterLines(proxy)).toContain(`service1::127.0.0.1:${h2c.port}::cx_total::1`)
      } finally {
        await h2c.stop()
      }
      const closed = await unusedEndpoint()
      const refused = await start('h2c-refused', yaml(closed, '    http2_protocol_options: {}'))
      expect((await fetch(`${refused.url('ingress_http')}/service/1`)).status).toBe(503)
      const s = await eventually('the failed session counted', async () => {
        const now = await stats(refused)
        return now.get('upstream_cx_destroy') === 1 ? now : undefined
      })
      expect(s.get('upstream_cx_connect_fail')).toBe(1)
      expect(s.get('upstream_cx_active')).toBe(0)
    })

    test('an HTTP/2 cluster pointed at an HTTP/1.1-only upstream: 503 UPE protocol_error, counted as upstream_cx_protocol_error (as Envoy)', async () => {
      const { upstream } = await countingUpstream()
      upstreams.push(upstream)
      const proxy = await start('h2-to-h1', frontProxyYaml([{ address: '127.0.0.1', port: upstream.port }], {
        listener: 'access_log: { text_format: "%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n" }',
        cluster: 'http2_protocol_options: {}',
      }))
      const response = await fetch(`${proxy.url('ingress_http')}/service/1`)
      expect(response.status).toBe(503)
      expect(await response.text()).toBe('upstream connect error or disconnect/reset before headers. reset reason: protocol error')
      await proxy.process.waitFor('503 UPE upstream_reset_before_response_started{protocol_error}')
      const s = await stats(proxy)
      expect(s.get('upstream_cx_protocol_error')).toBe(1)
      expect(s.get('upstream_rq_rx_reset')).toBe(0)
      // The next request opens a new session and fails the same way: nothing is stuck on the broken one.
      expect((await fetch(`${proxy.url('ingress_http')}/service/1`)).status).toBe(503)
      expect((await stats(proxy)).get('upstream_cx_protocol_error')).toBe(2)
    })

    test('with two workers the primary sums their connection stats and /clusters counts', async () => {
      const { upstream } = await countingUpstream()
      upstreams.push(upstream)
      const proxy = await start('workers', yaml({ address: '127.0.0.1', port: upstream.port }), 2)
      // Fresh downstream connections, so the kernel spreads them over both workers.
      for (let i = 0; i < 20; i++) await (await fetch(`${proxy.url('ingress_http')}/service/1`, { headers: { connection: 'close' } })).text()
      // One kept-alive upstream connection per worker, so two prove both were summed.
      expect(upstream.connections()).toBe(2)
      const s = await stats(proxy)
      expect(s.get('upstream_cx_total')).toBe(upstream.connections())
      expect(s.get('upstream_cx_active')).toBe(upstream.connections())
      expect(s.get('upstream_rq_total')).toBe(20)
      expect(await clusterLines(proxy)).toContain(`service1::127.0.0.1:${upstream.port}::cx_total::${upstream.connections()}`)
      expect(s.get('circuit_breakers.default.cx_open')).toBe(0)
    })
  })
}
