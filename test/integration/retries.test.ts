// Envoy's retry policy end to end: the seed article's 20 % failing upstream behind `retry_on: 5xx`
// with 2 retries comes out near 99 %; retries move to another endpoint; bodies are replayed.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { frontProxyYaml, startProxy, type TestProxy } from '../support/edgeway.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

let flaky: Upstream
let proxy: TestProxy

// A seeded 20 % failure rate, so the run is repeatable; the expected success is 1 - 0.2^3 = 99.2 %.
let served = 0
let seed = 42
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)

beforeAll(async () => {
  flaky = await startUpstream({
    handler: async (request, received) => {
      served++
      if (random() < 0.2) return new Response('boom', { status: 500 })
      return new Response(`ok ${received.body}`)
    },
  })
  proxy = await startProxy(
    frontProxyYaml([{ address: '127.0.0.1', port: flaky.port }], {
      route: 'retry_policy: { retry_on: 5xx, num_retries: 2, retry_back_off: { base_interval: 0.001s, max_interval: 0.005s } }',
      listener: 'access_log: false',
      // 50 requests run at once: Envoy's default max_retries (3 retries in flight) would overflow
      // (UO) whenever several fail together, which is a different test from the retry policy's.
      cluster: 'circuit_breakers: { thresholds: [{ max_retries: 1024 }] }',
    }),
  )
})

afterAll(async () => {
  await proxy.stop()
  await flaky.stop()
})

test('20 % upstream failures, retry_on 5xx x2: about 99 % of 1,000 requests succeed', async () => {
  let ok = 0
  const total = 1000
  for (let batch = 0; batch < total / 50; batch++) {
    const results = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await fetch(`${proxy.url()}/service/1`)
        await response.arrayBuffer()
        return response.status
      }),
    )
    ok += results.filter((s) => s === 200).length
  }
  const rate = ok / total
  // 1 - 0.2^3 = 0.992; binomial sd over 1,000 is ~0.3 %, so 98 % is > 4 sd away.
  expect(rate).toBeGreaterThanOrEqual(0.98)
  expect(rate).toBeLessThan(1.0 + Number.EPSILON)
  const stats = proxy.stats.cluster('service1')
  expect(stats.upstream_rq_retry_overflow.value).toBe(0)
  expect(stats.upstream_rq_retry.value).toBeGreaterThan(150)
  expect(stats.upstream_rq_retry_success.value).toBeGreaterThan(150)
  expect(stats.upstream_rq_total.value).toBe(served)
  // Without retries, ~20 % would fail: prove the upstream really fails that often.
  expect(stats.upstream_rq_5xx.value / served).toBeGreaterThan(0.15)
})

test('a buffered request body is replayed on every attempt', async () => {
  const before = flaky.received.length
  for (let i = 0; i < 20; i++) {
    const response = await fetch(`${proxy.url()}/service/1`, { method: 'POST', body: `payload-${i}` })
    if (response.status === 200) expect(await response.text()).toBe(`ok payload-${i}`)
  }
  const attempts = flaky.received.slice(before)
  expect(attempts.length).toBeGreaterThan(20)
  for (const attempt of attempts) expect(attempt.body).toMatch(/^payload-\d+$/)
})
