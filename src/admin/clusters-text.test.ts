import { describe, expect, test } from 'bun:test'
import type { ClusterSnapshot, EndpointSnapshot } from '../upstream/cluster-snapshot.ts'
import { clustersJson, renderClustersText } from './clusters-text.ts'

function endpoint(address: string, overrides: Partial<EndpointSnapshot> = {}): EndpointSnapshot {
  return {
    address,
    port: 8000,
    healthFlags: 'healthy',
    weight: 1,
    priority: 0,
    activeRequests: 0,
    rqTotal: 0,
    rqSuccess: 0,
    rqError: 0,
    rqTimeout: 0,
    cxTotal: 0,
    cxActive: 0,
    cxConnectFail: 0,
    hostname: '',
    ...overrides,
  }
}

const service1: ClusterSnapshot = {
  name: 'service1',
  type: 'strict_dns',
  lbPolicy: 'round_robin',
  circuitBreakers: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 },
  endpoints: [
    endpoint('127.0.0.11', { rqTotal: 5, rqSuccess: 4, rqError: 1, activeRequests: 2, cxTotal: 3, cxActive: 1, hostname: 'service1' }),
    endpoint('127.0.0.12', { healthFlags: '/failed_active_hc/failed_outlier_check', cxConnectFail: 3, weight: 3 }),
  ],
}

describe('renderClustersText', () => {
  const lines = renderClustersText([service1]).split('\n')

  test('cluster lines with circuit breaker thresholds', () => {
    expect(lines.slice(0, 6)).toEqual([
      'service1::observability_name::service1',
      'service1::default_priority::max_connections::1024',
      'service1::default_priority::max_pending_requests::1024',
      'service1::default_priority::max_requests::1024',
      'service1::default_priority::max_retries::3',
      'service1::added_via_api::false',
    ])
  })

  test('per-endpoint counters, health flags and weight', () => {
    expect(lines).toContain('service1::127.0.0.11:8000::rq_total::5')
    expect(lines).toContain('service1::127.0.0.11:8000::rq_success::4')
    expect(lines).toContain('service1::127.0.0.11:8000::rq_error::1')
    expect(lines).toContain('service1::127.0.0.11:8000::rq_active::2')
    expect(lines).toContain('service1::127.0.0.11:8000::rq_timeout::0')
    expect(lines).toContain('service1::127.0.0.11:8000::hostname::service1')
    expect(lines).toContain('service1::127.0.0.12:8000::hostname::')
    // Envoy's order: the counters and gauges alphabetically, connections first.
    const at = (line: string) => lines.indexOf(`service1::127.0.0.11:8000::${line}`)
    expect([at('cx_active::1'), at('cx_connect_fail::0'), at('cx_total::3'), at('rq_active::2')]).toEqual([6, 7, 8, 9])
    expect(lines).toContain('service1::127.0.0.11:8000::health_flags::healthy')
    expect(lines).toContain('service1::127.0.0.11:8000::weight::1')
    expect(lines).toContain('service1::127.0.0.12:8000::weight::3')
    expect(lines).toContain('service1::127.0.0.12:8000::cx_connect_fail::3')
    expect(lines).toContain('service1::127.0.0.12:8000::health_flags::/failed_active_hc/failed_outlier_check')
  })

  test('every line has the cluster::...::value shape and the text ends with a newline', () => {
    expect(lines.at(-1)).toBe('')
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^service1::[^:]/)
  })

  test('IPv6 endpoints are bracketed', () => {
    const text = renderClustersText([{ ...service1, endpoints: [endpoint('::1')] }])
    expect(text).toContain('service1::[::1]:8000::health_flags::healthy\n')
  })

  test('no clusters, no output', () => {
    expect(renderClustersText([])).toBe('')
  })
})

describe('clustersJson', () => {
  test("Envoy's cluster_statuses shape", () => {
    const json = clustersJson([service1]) as {
      cluster_statuses: { name: string; circuit_breakers: unknown; host_statuses: Record<string, unknown>[] }[]
    }
    const [status] = json.cluster_statuses
    expect(status?.name).toBe('service1')
    expect(status?.circuit_breakers).toEqual({
      thresholds: [{ max_connections: 1024, max_pending_requests: 1024, max_requests: 1024, max_retries: 3 }],
    })
    const [healthy, failing] = status?.host_statuses ?? []
    expect(healthy?.address).toEqual({ socket_address: { address: '127.0.0.11', port_value: 8000 } })
    expect(healthy?.stats).toContainEqual({ name: 'rq_total', value: '5' })
    expect(healthy?.stats).toContainEqual({ type: 'GAUGE', name: 'rq_active', value: '2' })
    expect(healthy?.stats).toContainEqual({ name: 'cx_total', value: '3' })
    expect(healthy?.stats).toContainEqual({ type: 'GAUGE', name: 'cx_active', value: '1' })
    expect(healthy?.hostname).toBe('service1')
    expect(failing?.hostname).toBeUndefined()
    expect(healthy?.health_status).toEqual({ eds_health_status: 'HEALTHY' })
    expect(healthy?.weight).toBe(1)
    expect(failing?.health_status).toEqual({ eds_health_status: 'HEALTHY', failed_active_health_check: true, failed_outlier_check: true })
  })
})
