// Test fixture for the request path's unit tests: a real config model, route table and cluster
// manager, with a scripted fake fetch and a manual clock behind every timer, so no socket opens
// and time moves only when a test advances it.

import { frontProxyYaml } from '../../test/support/edgeway.ts'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { parseConfig } from '../config/load-config.ts'
import { hasFaults } from '../config/to-model-fault.ts'
import { EMPTY_RUNTIME } from '../layered-runtime/layered-runtime.ts'
import type { ListenerConfig } from '../config/model.ts'
import { RouteTable } from '../routing/route-table.ts'
import type { UpstreamFailure, UpstreamRequest, ProxyResponse } from '../runtime.ts'
import { StatsStore } from '../stats/stats-store.ts'
import { ClusterManager } from '../upstream/cluster-manager.ts'
import { FaultFilter } from './fault/fault-filter.ts'
import { createProxyHandler } from './proxy-handler.ts'
import type { RequestInfo } from './request-info.ts'
import type { RequestTracer } from './request-tracer.ts'
import { toResponse } from '../upstream/to-response.ts'

/** Answers one upstream request; `endpoint` is `ip:port`. */
export type FakeUpstream = (request: UpstreamRequest, endpoint: string) => ProxyResponse | Promise<ProxyResponse>

export type FixtureOptions = {
  readonly upstream?: FakeUpstream
  /** Extra YAML lines for the listener, the route action and the cluster (2-space indented blocks). */
  readonly listener?: string
  readonly route?: string
  readonly cluster?: string
  readonly endpoints?: number
  readonly tracer?: RequestTracer
  readonly random?: () => number
}

/** A failure the fake fetch throws: classify() reads its `failure`, as the runtimes' errors are classified. */
export function upstreamFailure(failure: UpstreamFailure): Error {
  return Object.assign(new Error(`fake ${failure}`), { failure })
}

/** An upstream that never answers: rejects only when the attempt's signal aborts. */
export function hanging(request: UpstreamRequest): Promise<ProxyResponse> {
  return new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }))
}

/** The one-route front proxy the integration tests use too, over endpoints 10.0.0.1... (never dialled). */
export function listenerYaml(options: Pick<FixtureOptions, 'listener' | 'route' | 'cluster' | 'endpoints'> = {}): string {
  const endpoints = Array.from({ length: options.endpoints ?? 1 }, (_, i) => ({ address: `10.0.0.${i + 1}`, port: 8080 }))
  return frontProxyYaml(endpoints, options)
}

export function listenerConfig(options: Pick<FixtureOptions, 'listener' | 'route' | 'cluster'> = {}): ListenerConfig {
  return parseConfig(listenerYaml(options), 'fixture.yaml', { env: () => undefined }).listeners[0]!
}

export function proxyFixture(options: FixtureOptions = {}) {
  const config = parseConfig(listenerYaml(options), 'fixture.yaml', { env: () => undefined })
  const listener = config.listeners[0]!
  const clock = new ManualClock()
  const stats = new StatsStore()
  const clusters = new ClusterManager(config.clusters, {
    resolverFor: () => {
      throw new Error('static clusters only')
    },
    stats,
    clock,
    // Round robin's random start (Envoy's seed_) at 0: the first attempt goes to the first endpoint.
    random: () => 0,
  })
  const logged: RequestInfo[] = []
  const fetched: { endpoint: string; request: UpstreamRequest }[] = []
  const upstream = options.upstream ?? (() => new Response('ok', { headers: { 'content-length': '2' } }))
  const handler = createProxyHandler({
    listener,
    routes: new RouteTable(listener.virtualHosts),
    clusters,
    runtime: { decodesBodies: false, headersEditable: true, sequentialStrings: false, openWebSocket: () => Promise.reject(new Error('no WebSocket in this fixture')) },
    stats: stats.listener(listener.statPrefix),
    accessLog: (info) => logged.push({ ...info }),
    tracer: options.tracer,
    hostname: 'test-host',
    fetch: async (request) => {
      const endpoint = new URL(request.url).host
      fetched.push({ endpoint, request })
      return upstream(request, endpoint)
    },
    classify: (error) => (error as { failure?: UpstreamFailure }).failure ?? 'reset',
    now: () => clock.now(),
    random: options.random ?? (() => 0.5),
    sleep: (ms) => new Promise((resolve) => clock.setTimeout(resolve, ms)),
    timers: clock,
    // As generation.ts builds it: a listener with a `fault:` block (or routes with one) gets the filter.
    ...(hasFaults(listener) && { faults: new FaultFilter(listener, { runtime: EMPTY_RUNTIME(), stats: stats.fault(listener.statPrefix), random: options.random ?? (() => 0.5) }) }),
  })
  const conn = { remoteAddress: '192.0.2.1', remotePort: 40000 }
  // As a runtime hands requests over: with the Host header the client sent.
  const requestOf = (path: string, init?: RequestInit) => {
    const request = new Request(`http://edge${path}`, init)
    if (!request.headers.has('host')) request.headers.set('host', 'edge')
    return request
  }
  return {
    /** The proxy handler itself: its answers as they are (a record too, when the fake upstream gives one). */
    handler,
    listener,
    clock,
    stats,
    clusters,
    logged,
    fetched,
    /** Sends `request` through the handler as it is (a method or URL shape requestOf does not make). */
    send: (request: Request) => handler(request, conn).then(toResponse),
    /** Sends a request through the handler (default GET http://edge/service/1). */
    handle: (path = '/service/1', init?: RequestInit) => handler(requestOf(path, init), conn).then(toResponse),
    /** handle(), then reads the body, so the access log has the request (it logs when the body is done). */
    read: async (path = '/service/1', init?: RequestInit) => {
      const response = toResponse(await handler(requestOf(path, init), conn))
      return { status: response.status, headers: response.headers, text: await response.text() }
    },
    /** The value of one stat by its full name (0 when never touched). */
    stat: (name: string) => stats.all().find((s) => s.name === name)?.value ?? 0,
  }
}
