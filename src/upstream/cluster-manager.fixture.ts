// Test fixture for ClusterManager tests: a resolver answering from a table, a manager on the manual clock.

import { StatsStore } from '../stats/stats-store.ts'
import type { ClusterConfig } from '../config/model.ts'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { clusterConfig } from './cluster-config.fixture.ts'
import { ClusterManager } from './cluster-manager.ts'
import type { Resolver } from './resolver.ts'

/** A resolver answering from a mutable table; `failing` names reject like a DNS timeout. */
export class FakeResolver implements Resolver {
  readonly records = new Map<string, string[]>()
  readonly failing = new Set<string>()
  queries = 0
  async resolve(hostname: string): Promise<string[]> {
    this.queries++
    if (this.failing.has(hostname)) throw Object.assign(new Error(`queryA ETIMEOUT ${hostname}`), { code: 'ETIMEOUT' })
    return [...(this.records.get(hostname) ?? [])]
  }
}

export function setup(configs: ClusterConfig[]) {
  const resolver = new FakeResolver()
  const stats = new StatsStore()
  const clock = new ManualClock()
  const servers: (readonly string[])[] = []
  const lines: string[] = []
  const manager = new ClusterManager(configs, {
    resolverFor: (c) => (servers.push(c.dnsResolvers), resolver),
    stats,
    clock,
    log: (line) => lines.push(line),
  })
  const stat = (name: string) => stats.get(`cluster.${configs[0]!.name}.${name}`).value
  const addresses = (name = configs[0]!.name) => manager.get(name)!.endpoints().map((e) => e.key)
  return { resolver, stats, clock, manager, servers, lines, stat, addresses }
}

export const strictDns = (overrides: Partial<ClusterConfig> = {}) =>
  clusterConfig({ type: 'strict_dns', endpoints: [{ address: 'service1', port: 8000 }], dnsRefreshRateMs: 5_000, dnsResolvers: ['127.0.0.1:5353'], ...overrides })

