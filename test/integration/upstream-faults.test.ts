// Hostile upstreams (test/support/fault-upstream.ts) in front of the real CLI on Bun and Deno:
// each fault gets Envoy's status and response flag in the access log, the matching counter, no
// downstream_rq_active leak; a body cut after the headers is cut for the client too (and flagged,
// not logged as a clean 200); the route timeout bounds the whole response, idle_timeout each read.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { statusAndFlags, waitForLine } from '../support/access-log-lines.ts'
import { ProcessGroup, type ProxyProcess } from '../support/edgeway-processes.ts'
import { startFaultUpstream, type FaultUpstream } from '../support/fault-upstream.ts'
import { RawConnection, type RawResponse } from '../support/raw-client.ts'

function yaml(port: number): string {
  return `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 0
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: /idle/ }
            route: { cluster: faults, prefix_rewrite: /, timeout: 0s, idle_timeout: 1s }
          - match: { prefix: / }
            route: { cluster: faults, timeout: 1.5s }
clusters:
  - name: faults
    connect_timeout: 1s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${port} }] }
`
}

async function stat(proxy: ProxyProcess, name: string): Promise<number> {
  const text = await (await fetch(`${proxy.url('admin')}/stats`)).text()
  const match = new RegExp(`^${name.replaceAll('.', '\\.')}: (\\d+)$`, 'm').exec(text)
  if (!match) throw new Error(`no stat ${name}`)
  return Number(match[1])
}

/** GET `path` on a fresh raw connection: the response, or what arrived before the close. */
async function get(proxy: ProxyProcess, path: string): Promise<{ answer: RawResponse | 'closed'; ms: number }> {
  const connection = await RawConnection.open(proxy.port('ingress'))
  const started = Date.now()
  try {
    connection.send(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)
    return { answer: await connection.response(10_000), ms: Date.now() - started }
  } finally {
    connection.close()
  }
}

const BIG = 200_000 // streamed, not read whole (over 64 KiB)

for (const runtime of ['bun', 'deno'] as const) {
  describe(`hostile upstreams on ${runtime}`, () => {
    const group = new ProcessGroup()
    let upstream: FaultUpstream
    let proxy: ProxyProcess
    const line = async (path: string) => statusAndFlags(await waitForLine(() => proxy.process.stdout(), 'GET', path))

    beforeAll(async () => {
      upstream = await startFaultUpstream()
      proxy = await group.proxy(`faults-${runtime}`, yaml(upstream.port), {}, { runtime, startTimeoutMs: 30_000 })
    }, 45_000)

    afterAll(async () => {
      await group.stopAll()
      await upstream?.stop()
    })

    for (const [path, status, flag] of [
      ['/reset-before-headers', 503, 'UR'],
      ['/reset-mid-headers', 503, 'UR'],
      ['/reset-mid-body/1000/500', 503, 'UR'], // small body, read whole before the headers go out
      ['/status-line/HTTP%2F1.1%20abc', 503, 'UPE'], // a status line no codec parses: Envoy's UpstreamProtocolError
    ] as const) {
      test(`${path}: ${status} ${flag}`, async () => {
        const { answer } = await get(proxy, path)
        expect(answer === 'closed' ? 'closed' : answer.status).toBe(status)
        expect(await line(path)).toEqual([status, flag])
      })
    }

    test('status 999, 600 and 099: 503 UPE protocol error, counted, logged, no active leak', async () => {
      const before = await stat(proxy, 'cluster.faults.upstream_cx_protocol_error')
      // Bun's fetch hands the status to edgeway (attempt.ts refuses it); Deno's HTTP/1.1 client
      // (src/http1) refuses it while parsing the head. Same answer, flag and counter.
      const codes = ['999', '600', '099']
      for (const code of codes) {
        const { answer } = await get(proxy, `/status/${code}`)
        expect(answer === 'closed' ? 'closed' : [answer.status, answer.body]).toEqual([503, 'upstream connect error or disconnect/reset before headers. reset reason: protocol error'])
        expect(await line(`/status/${code}`)).toEqual([503, 'UPE'])
      }
      expect(await stat(proxy, 'cluster.faults.upstream_cx_protocol_error')).toBe(before + codes.length)
      expect(await stat(proxy, 'http.ingress.downstream_rq_active')).toBe(0)
    })

    test('a reset after part of a large body: the client\'s body is cut too, and the log says UR', async () => {
      const before = await stat(proxy, 'cluster.faults.upstream_rq_rx_reset')
      const path = `/reset-mid-body/${BIG}/100000`
      const { answer } = await get(proxy, path)
      // The client never gets a complete response: it can tell the body was cut.
      expect(answer).toBe('closed')
      expect(await line(path)).toEqual([200, 'UR'])
      expect(await stat(proxy, 'cluster.faults.upstream_rq_rx_reset')).toBe(before + 1)
    })

    test('a premature close (fewer bytes than content-length) is flagged the same way', async () => {
      const path = `/short-body/${BIG}/100000`
      expect((await get(proxy, path)).answer).toBe('closed')
      expect(await line(path)).toEqual([200, 'UR'])
    })

    test('a chunked body reset before its last chunk is flagged UR', async () => {
      expect((await get(proxy, '/chunked-reset/1000')).answer).toBe('closed')
      expect(await line('/chunked-reset/1000')).toEqual([200, 'UR'])
    })

    test('more bytes than content-length: the client gets exactly the declared body, the connection is not reused', async () => {
      const { answer } = await get(proxy, '/long-body/2/10')
      expect(answer !== 'closed' && [answer.status, answer.body]).toEqual([200, 'xx'])
      // The extra bytes must not become the next response on a pooled upstream connection.
      for (let i = 0; i < 3; i++) {
        const next = await get(proxy, '/ok')
        expect(next.answer !== 'closed' && [next.answer.status, next.answer.body]).toEqual([200, 'ok'])
      }
    })

    test('an upstream that never answers: 504 UT at the route timeout', async () => {
      const { answer, ms } = await get(proxy, '/never')
      expect(answer !== 'closed' && answer.status).toBe(504)
      expect(ms).toBeGreaterThanOrEqual(1400)
      expect(await line('/never')).toEqual([504, 'UT'])
    })

    test('a large body dripping past the route timeout is cut at the timeout, flagged UT', async () => {
      // 200 kB at 5 bytes per 100 ms would take over an hour; the 1.5 s route timeout covers the body too.
      const path = `/drip/${BIG}/100/5`
      const { answer, ms } = await get(proxy, path)
      expect(answer).toBe('closed')
      expect(ms).toBeLessThan(5_000)
      expect(await line(path)).toEqual([200, 'UT'])
    })

    test('route idle_timeout cuts a body that goes silent between reads, flagged SI', async () => {
      const before = await stat(proxy, 'http.ingress.downstream_rq_idle_timeout')
      // One read of 5 bytes every 2.5 s: each gap is longer than the 1 s idle_timeout.
      const path = '/idle/drip/100/2500/5'
      const { answer, ms } = await get(proxy, path)
      expect(answer).toBe('closed')
      expect(ms).toBeLessThan(5_000)
      expect(await line(path)).toEqual([200, 'SI'])
      expect(await stat(proxy, 'http.ingress.downstream_rq_idle_timeout')).toBe(before + 1)
    })

    test('a body that keeps flowing within idle_timeout is not cut', async () => {
      // A read every 100 ms, ten times inside the 1 s idle_timeout: margin for a loaded machine.
      const path = '/idle/drip/20/100/5'
      const { answer } = await get(proxy, path)
      expect(answer !== 'closed' && [answer.status, answer.body]).toEqual([200, 'ddddddddddddddddddddd'.slice(0, 20)])
      expect(await line(path)).toEqual([200, '-'])
    })

    test('after every fault no request is left active', async () => {
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(await stat(proxy, 'http.ingress.downstream_rq_active')).toBe(0)
    })
  })
}
