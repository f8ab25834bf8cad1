// The fault phase on a listener read from a real compact config, with the random source, the
// clock and the runtime in the test's hands.

import { describe, expect, test } from 'bun:test'
import { parseConfig } from '../../config/load-config.ts'
import { LayeredRuntime } from '../../layered-runtime/layered-runtime.ts'
import { StatsStore } from '../../stats/stats-store.ts'
import { ManualClock } from '../../../test/support/manual-clock.ts'
import type { ProxyError } from '../../errors.ts'
import type { RequestInfo } from '../request-info.ts'
import type { RoutedRequest } from '../route-phase.ts'
import { FaultFilter } from './fault-filter.ts'
import { faultPhase } from './fault-phase.ts'

function setup(fault: string, options: { random?: number[]; routeFault?: string; hostFault?: string; runtime?: string; drainDeadline?: AbortSignal } = {}) {
  const yaml = `
layered_runtime: { layers: [{ name: base, static_layer: { ${options.runtime ?? ''} } }, { name: admin, admin_layer: {} }] }
listeners:
- name: in
  port: 0
  fault: ${fault}
  virtual_hosts:
  - name: all
    domains: ["*"]
    ${options.hostFault ? `fault: ${options.hostFault}` : ''}
    routes:
    - match: { prefix: /quiet }
      route: { cluster: app }
      ${options.routeFault ? `fault: ${options.routeFault}` : ''}
    - match: { prefix: / }
      route: { cluster: app }
clusters:
- name: app
  load_assignment: { endpoints: [{ address: 127.0.0.1, port: 9 }] }
`
  const config = parseConfig(yaml, 'fault.yaml', { env: () => undefined })
  const listener = config.listeners[0]!
  const draws = options.random ?? [0]
  let i = 0
  const runtime = new LayeredRuntime(config.runtime, { serviceCluster: '' })
  const stats = new StatsStore()
  const filter = new FaultFilter(listener, { runtime, stats: stats.fault('in'), random: () => draws[i++ % draws.length]!, ...(options.drainDeadline && { drainDeadline: options.drainDeadline }) })
  const clock = new ManualClock()
  const routes = listener.virtualHosts[0]!.routes
  const run = (path: string, headers: Record<string, string> = {}, signal?: AbortSignal, internal = true) => {
    const route = path.startsWith('/quiet') ? routes[0]! : routes[1]!
    const info = { flags: '', upstreamCluster: 'app', internal } as RequestInfo
    const request = new Request(`http://x${path}`, { headers, ...(signal && { signal }) })
    const done = faultPhase(request, { route } as RoutedRequest, info, filter, clock)
    return { info, done }
  }
  const stat = (name: string) => stats.get(`http.in.fault.${name}`).value
  return { run, clock, runtime, stat }
}

describe('abort', () => {
  test('the configured percentage aborts with the configured status, FI and Envoy\'s body', async () => {
    // 25 % of HUNDRED: draws below 0.25 abort.
    const { run, stat } = setup('{ abort: { http_status: 503, percentage: { numerator: 25 } } }', { random: [0.1, 0.3, 0.24, 0.25] })
    const outcomes: (ProxyError | undefined)[] = []
    for (let i = 0; i < 4; i++) outcomes.push(await run('/').done)
    expect(outcomes.map((o) => o?.status)).toEqual([503, undefined, 503, undefined])
    expect(outcomes[0]).toMatchObject({ flag: 'FI', code: 'fault_filter_abort', body: 'fault filter abort' })
    expect(stat('aborts_injected')).toBe(2)
    expect(stat('active_faults')).toBe(0)
  })

  test('TEN_THOUSAND and MILLION denominators', async () => {
    const tenThousand = setup('{ abort: { http_status: 500, percentage: { numerator: 1, denominator: TEN_THOUSAND } } }', { random: [0.00009, 0.0001] })
    expect((await tenThousand.run('/').done)?.status).toBe(500)
    expect(await tenThousand.run('/').done).toBeUndefined()
    const million = setup('{ abort: { http_status: 500, percentage: { numerator: 1, denominator: MILLION } } }', { random: [0.0000009, 0.000001] })
    expect((await million.run('/').done)?.status).toBe(500)
    expect(await million.run('/').done).toBeUndefined()
  })

  test('runtime keys override the percentage and the status, live', async () => {
    const { run, runtime } = setup('{ abort: { http_status: 503, percentage: { numerator: 0 } } }', { random: [0.5] })
    expect(await run('/').done).toBeUndefined()
    runtime.modify({ 'fault.http.abort.abort_percent': '100', 'fault.http.abort.http_status': '429' })
    expect((await run('/').done)?.status).toBe(429)
  })

  test("abort_percent_runtime names another key", async () => {
    const { run, runtime } = setup('{ abort: { http_status: 503 }, abort_percent_runtime: demo.abort }', { random: [0.5] })
    runtime.modify({ 'fault.http.abort.abort_percent': '100' })
    expect(await run('/').done).toBeUndefined()
    runtime.modify({ 'demo.abort': '100' })
    expect((await run('/').done)?.status).toBe(503)
  })

  test('header_abort: the status from x-envoy-fault-abort-request, the percentage header capped at the configured one', async () => {
    const { run } = setup('{ abort: { header_abort: {}, percentage: { numerator: 50 } } }', { random: [0.3] })
    expect(await run('/').done).toBeUndefined()
    expect((await run('/', { 'x-envoy-fault-abort-request': '418' }).done)?.status).toBe(418)
    expect(await run('/', { 'x-envoy-fault-abort-request': '700' }).done).toBeUndefined()
    expect(await run('/', { 'x-envoy-fault-abort-request': 'teapot' }).done).toBeUndefined()
    // 20 % asked for: the draw 0.3 misses; 90 % asked for is capped at 50 %: it hits.
    expect(await run('/', { 'x-envoy-fault-abort-request': '418', 'x-envoy-fault-abort-request-percentage': '20' }).done).toBeUndefined()
    expect((await run('/', { 'x-envoy-fault-abort-request': '418', 'x-envoy-fault-abort-request-percentage': '90' }).done)?.status).toBe(418)
  })
})

describe('delay', () => {
  test('a fixed delay holds the request for its duration, flags DI, counts active_faults while it lasts', async () => {
    const { run, clock, stat } = setup('{ delay: { fixed_delay: 3s, percentage: { numerator: 100 } } }')
    const { info, done } = run('/')
    let settled = false
    void done.then(() => (settled = true))
    await clock.advance(2999)
    expect(settled).toBe(false)
    expect(info.flags).toBe('DI')
    expect(stat('active_faults')).toBe(1)
    await clock.advance(1)
    expect(await done).toBeUndefined()
    expect(stat('delays_injected')).toBe(1)
    expect(stat('active_faults')).toBe(0)
  })

  test('a client that goes away ends the delay at once: 499 DC, no timer left', async () => {
    const { run, clock, stat } = setup('{ delay: { fixed_delay: 60s, percentage: { numerator: 100 } } }')
    const client = new AbortController()
    const { done } = run('/', {}, client.signal)
    await clock.advance(10)
    client.abort()
    expect(await done).toMatchObject({ status: 499, flag: 'DC' })
    expect(clock.pending()).toBe(0)
    expect(stat('active_faults')).toBe(0)
  })

  test("a drain's deadline ends the delay and the request goes on (Deno's server waits for every request)", async () => {
    const drain = new AbortController()
    const { run, clock, stat } = setup('{ delay: { fixed_delay: 60s, percentage: { numerator: 100 } } }', { drainDeadline: drain.signal })
    const { info, done } = run('/')
    await clock.advance(10)
    drain.abort()
    expect(await done).toBeUndefined()
    expect(info.flags).toBe('DI')
    expect(clock.pending()).toBe(0)
    expect(stat('active_faults')).toBe(0)
    // Once drained, a new request is not held either.
    expect(await run('/').done).toBeUndefined()
  })

  test('delay then abort, as Envoy: both flags on the request', async () => {
    const { run, clock } = setup('{ delay: { fixed_delay: 1s, percentage: { numerator: 100 } }, abort: { http_status: 503, percentage: { numerator: 100 } } }')
    const { info, done } = run('/')
    await clock.advance(1000)
    expect((await done)?.flag).toBe('FI')
    expect(info.flags).toBe('DI')
  })

  test('header_delay: milliseconds from x-envoy-fault-delay-request; fault.http.delay.fixed_duration_ms overrides a fixed one', async () => {
    const header = setup('{ delay: { header_delay: {}, percentage: { numerator: 100 } } }')
    const none = header.run('/')
    expect(await none.done).toBeUndefined()
    expect(none.info.flags).toBe('')
    const delayed = header.run('/', { 'x-envoy-fault-delay-request': '250' })
    await header.clock.advance(249)
    expect(delayed.info.flags).toBe('DI')
    await header.clock.advance(1)
    expect(await delayed.done).toBeUndefined()

    const fixed = setup('{ delay: { fixed_delay: 10s, percentage: { numerator: 100 } } }', { runtime: '"fault.http.delay.fixed_duration_ms": 5' })
    const short = fixed.run('/')
    await fixed.clock.advance(5)
    expect(await short.done).toBeUndefined()
  })
})

describe('which requests', () => {
  test('max_active_faults: at the limit no fault is injected and faults_overflow counts it', async () => {
    const { run, clock, stat } = setup('{ delay: { fixed_delay: 1s, percentage: { numerator: 100 } }, max_active_faults: 1 }')
    const first = run('/')
    await clock.advance(1)
    const second = run('/')
    expect(await second.done).toBeUndefined()
    expect(second.info.flags).toBe('')
    expect(stat('faults_overflow')).toBe(1)
    await clock.advance(1000)
    expect(await first.done).toBeUndefined()
  })

  test('headers and upstream_cluster narrow the filter; a route\'s own settings replace the listener\'s', async () => {
    const { run } = setup('{ abort: { http_status: 503, percentage: { numerator: 100 } }, headers: [{ name: x-chaos, exact_match: "on" }] }', {
      routeFault: '{ abort: { http_status: 502, percentage: { numerator: 100 } }, upstream_cluster: other }',
    })
    expect(await run('/').done).toBeUndefined()
    expect((await run('/', { 'x-chaos': 'on' }).done)?.status).toBe(503)
    expect(await run('/quiet', { 'x-chaos': 'on' }).done).toBeUndefined()
  })

  test("the most specific settings win: the route's, then its virtual host's, then the listener's", async () => {
    const { run } = setup('{ abort: { http_status: 503, percentage: { numerator: 100 } } }', {
      hostFault: '{ abort: { http_status: 504, percentage: { numerator: 100 } } }',
      routeFault: '{ abort: { http_status: 502, percentage: { numerator: 100 } } }',
    })
    expect((await run('/quiet').done)?.status).toBe(502)
    expect((await run('/').done)?.status).toBe(504)
  })
})

describe('per downstream cluster (x-envoy-downstream-service-cluster)', () => {
  const dc = { 'x-envoy-downstream-service-cluster': 'frontend' }

  test('an external client at an edge cannot name a downstream cluster (Envoy removes the header from edge requests)', async () => {
    const { run, runtime, stat } = setup('{ abort: { http_status: 503, percentage: { numerator: 0 } } }', { random: [0.5] })
    runtime.modify({ 'fault.http.frontend.abort.abort_percent': '100' })
    expect(await run('/', dc, undefined, false).done).toBeUndefined()
    expect((await run('/', dc).done)?.status).toBe(503)
    expect(stat('frontend.aborts_injected')).toBe(1)
  })

  test("the downstream's abort keys replace the general ones and it gets its own stats", async () => {
    const { run, runtime, stat } = setup('{ abort: { http_status: 503, percentage: { numerator: 0 } } }', { random: [0.5] })
    runtime.modify({ 'fault.http.abort.abort_percent': '100', 'fault.http.abort.http_status': '429' })
    // The general key aborts the others with its status...
    expect((await run('/').done)?.status).toBe(429)
    // ...but frontend's percentage key is unset: the configured 0 % decides for it (Envoy reads one key, not both).
    expect(await run('/', dc).done).toBeUndefined()
    runtime.modify({ 'fault.http.frontend.abort.abort_percent': '100' })
    // Its status falls back to the configured one, not the general key's.
    expect((await run('/', dc).done)?.status).toBe(503)
    runtime.modify({ 'fault.http.frontend.abort.http_status': '418' })
    expect((await run('/', dc).done)?.status).toBe(418)
    expect(stat('aborts_injected')).toBe(3)
    expect(stat('frontend.aborts_injected')).toBe(2)
  })

  test("the downstream's delay keys: its percentage alone decides, its duration overrides the general one", async () => {
    const { run, runtime, clock, stat } = setup('{ delay: { fixed_delay: 10s, percentage: { numerator: 100 } } }', { random: [0.5] })
    runtime.modify({ 'fault.http.frontend.delay.fixed_delay_percent': '0' })
    const skipped = run('/', dc)
    expect(await skipped.done).toBeUndefined()
    expect(skipped.info.flags).toBe('')
    runtime.modify({ 'fault.http.frontend.delay.fixed_delay_percent': '100', 'fault.http.delay.fixed_duration_ms': '500', 'fault.http.frontend.delay.fixed_duration_ms': '20' })
    const short = run('/', dc)
    await clock.advance(20)
    expect(await short.done).toBeUndefined()
    expect(short.info.flags).toBe('DI')
    expect(stat('delays_injected')).toBe(1)
    expect(stat('frontend.delays_injected')).toBe(1)
  })

  test('disable_downstream_cluster_stats keeps the keys but not the stats', async () => {
    const { run, runtime, stat } = setup('{ abort: { http_status: 503 }, disable_downstream_cluster_stats: true }', { random: [0.5] })
    runtime.modify({ 'fault.http.frontend.abort.abort_percent': '100' })
    expect((await run('/', dc).done)?.status).toBe(503)
    expect(stat('aborts_injected')).toBe(1)
    expect(stat('frontend.aborts_injected')).toBe(0)
  })
})
