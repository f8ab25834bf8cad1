// Health check timings in both front ends. Envoy accepts a timeout longer than the interval
// (it arms the next interval only after the answer or the timeout, so probes never overlap):
// a config written for Envoy with, say, timeout 3s and interval 2s must load, not be refused.

import { describe, expect, test } from 'bun:test'
import { loadConfig } from './load-config.ts'
import { compact, envoy, options } from './one-cluster.fixture.ts'

describe('health_checks timeout and interval', () => {
  test('compact: a timeout longer than the interval loads with both kept', () => {
    const c = loadConfig(compact('    health_checks: [{ timeout: 3s, interval: 2s, http_health_check: { path: /healthz } }]'), 'c.yaml', options).config.clusters[0]!
    expect([c.healthCheck?.timeoutMs, c.healthCheck?.intervalMs]).toEqual([3_000, 2_000])
  })

  test('Envoy: the same from a bootstrap', () => {
    const c = loadConfig(envoy({ health_checks: [{ timeout: '3s', interval: '2s', http_health_check: { path: '/healthz' } }] }), 'e.json', options).config.clusters[0]!
    expect([c.healthCheck?.timeoutMs, c.healthCheck?.intervalMs]).toEqual([3_000, 2_000])
  })
})
