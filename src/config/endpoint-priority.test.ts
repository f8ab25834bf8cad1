// An endpoint's priority level (Envoy's LocalityLbEndpoints.priority), its locality and locality
// weight (locality_weighted_lb_config) and fail_traffic_on_panic in the compact format, the Envoy
// front end and the way back: read, checked with every problem at its path, and carried over.

import { describe, expect, test } from 'bun:test'
import { modelToEnvoy } from './envoy/from-model.ts'
import { parseConfig } from './load-config.ts'
import { compact, envoy, options, problems, withEndpoints } from './one-cluster.fixture.ts'

const socket = (address: string) => ({ endpoint: { address: { socket_address: { address, port_value: 80 } } } })
const localities = (...groups: Record<string, unknown>[]) => envoy({ type: 'STRICT_DNS', load_assignment: { cluster_name: 'c', endpoints: groups } })

describe('endpoint priority', () => {
  test('compact: priority is read per endpoint; 0 and absent are the same (the highest)', () => {
    const config = parseConfig(withEndpoints('[ { address: a, port: 80 }, { address: b, port: 80, priority: 0 }, { address: c, port: 80, priority: 2 } ]'), 't.yaml', options)
    expect(config.clusters[0]!.endpoints).toEqual([{ address: 'a', port: 80 }, { address: 'b', port: 80 }, { address: 'c', port: 80, priority: 2 }])
  })

  test('compact: -1, 1.5, a string and 129 are each an error at its path, all in one report', () => {
    const found = problems(withEndpoints('[ { address: a, port: 80, priority: -1 }, { address: b, port: 80, priority: 1.5 }, { address: c, port: 80, priority: "1" }, { address: d, port: 80, priority: 129 } ]'), 't.yaml')
    expect(found).toEqual([
      'clusters[0].load_assignment.endpoints[0].priority: expected priority 0-128, got -1',
      'clusters[0].load_assignment.endpoints[1].priority: expected priority 0-128, got 1.5',
      'clusters[0].load_assignment.endpoints[2].priority: expected priority 0-128, got "1"',
      'clusters[0].load_assignment.endpoints[3].priority: expected priority 0-128, got 129',
    ])
  })

  test("Envoy: a locality's priority goes to each of its endpoints", () => {
    const config = parseConfig(localities({ lb_endpoints: [socket('a')] }, { priority: 1, lb_endpoints: [socket('b'), socket('c')] }, { priority: 0, lb_endpoints: [socket('d')] }), 't.json', options)
    expect(config.clusters[0]!.endpoints).toEqual([{ address: 'a', port: 80 }, { address: 'b', port: 80, priority: 1 }, { address: 'c', port: 80, priority: 1 }, { address: 'd', port: 80 }])
  })

  test('Envoy: a priority past 128 or not a number is an error at the locality', () => {
    expect(problems(localities({ lb_endpoints: [socket('a')] }, { priority: 129, lb_endpoints: [socket('b')] }, { priority: 'x', lb_endpoints: [socket('c')] }), 't.json')).toEqual([
      'static_resources.clusters[0].load_assignment.endpoints[1].priority: expected priority 0-128, got 129',
      'static_resources.clusters[0].load_assignment.endpoints[2].priority: expected priority 0-128, got "x"',
    ])
  })

  test('back to Envoy (convert, config_dump): one LocalityLbEndpoints per priority in use, which loads back the same', () => {
    const config = parseConfig(withEndpoints('[ { address: a, port: 80, priority: 1 }, { address: b, port: 80, weight: 2 }, { address: c, port: 80, priority: 1 } ]'), 't.yaml', options)
    const out = modelToEnvoy(config).bootstrap as { static_resources: { clusters: { load_assignment: unknown }[] } }
    expect(out.static_resources.clusters[0]!.load_assignment).toEqual({
      cluster_name: 'c',
      endpoints: [
        { lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'b', port_value: 80 } } }, load_balancing_weight: 2 }] },
        { priority: 1, lb_endpoints: [socket('a'), socket('c')] },
      ],
    })
    const again = parseConfig(JSON.stringify(out), 'again.json', options)
    expect(new Set(again.clusters[0]!.endpoints.map((e) => `${e.address}:${e.priority ?? 0}`))).toEqual(new Set(['a:1', 'b:0', 'c:1']))
  })
})

describe('fail_traffic_on_panic', () => {
  test('compact and Envoy: read; absent is false; back to Envoy it is kept', () => {
    expect(parseConfig(compact('    common_lb_config: { fail_traffic_on_panic: true }'), 't.yaml', options).clusters[0]!.failTrafficOnPanic).toBe(true)
    expect(parseConfig(compact(''), 't.yaml', options).clusters[0]!.failTrafficOnPanic).toBeUndefined()
    const config = parseConfig(envoy({ common_lb_config: { fail_traffic_on_panic: true } }), 't.json', options)
    expect(config.clusters[0]!.failTrafficOnPanic).toBe(true)
    const out = modelToEnvoy(config).bootstrap as { static_resources: { clusters: { common_lb_config?: unknown }[] } }
    expect(out.static_resources.clusters[0]!.common_lb_config).toEqual({ fail_traffic_on_panic: true })
  })

  test('a non-boolean is an error at its path in both front ends', () => {
    expect(problems(compact('    common_lb_config: { fail_traffic_on_panic: 1 }'), 't.yaml')[0]).toStartWith('clusters[0].common_lb_config.fail_traffic_on_panic: ')
    expect(problems(envoy({ common_lb_config: { fail_traffic_on_panic: 'yes' } }), 't.json')[0]).toStartWith('static_resources.clusters[0].common_lb_config.fail_traffic_on_panic: ')
  })
})

describe('locality and locality_weighted_lb_config', () => {
  test('compact: locality (region, zone, sub_zone) and locality_weight per endpoint; the config flag', () => {
    const yaml = withEndpoints('[ { address: a, port: 80, locality: { region: r1, zone: z1 }, locality_weight: 2 }, { address: b, port: 80, locality: { sub_zone: s } }, { address: c, port: 80, locality: {} } ]')
      .replace('    type: strict_dns\n', '    type: strict_dns\n    common_lb_config: { locality_weighted_lb_config: {} }\n')
    const cluster = parseConfig(yaml, 't.yaml', options).clusters[0]!
    expect(cluster.localityWeightedLb).toBe(true)
    expect(cluster.endpoints).toEqual([
      { address: 'a', port: 80, locality: { region: 'r1', zone: 'z1', subZone: '' }, localityWeight: 2 },
      { address: 'b', port: 80, locality: { region: '', zone: '', subZone: 's' } },
      { address: 'c', port: 80 },
    ])
  })

  test('compact: a locality_weight of 0, an unknown locality field and a non-string zone are errors at their paths', () => {
    expect(problems(withEndpoints('[ { address: a, port: 80, locality_weight: 0 }, { address: b, port: 80, locality: { city: x } }, { address: c, port: 80, locality: { zone: 3 } } ]'), 't.yaml')).toEqual([
      'clusters[0].load_assignment.endpoints[0].locality_weight: expected weight 1-4294967295, got 0',
      'clusters[0].load_assignment.endpoints[1].locality.city: unknown key (typo?)',
      'clusters[0].load_assignment.endpoints[2].locality.zone: expected string, got 3',
    ])
  })

  test('Envoy: locality and load_balancing_weight go to each of its endpoints; unequal locality weights are accepted without the flag (ignored, as Envoy does)', () => {
    const text = localities({ locality: { region: 'local', zone: 'zone-1' }, load_balancing_weight: 1, lb_endpoints: [socket('a')] }, { locality: { region: 'remote' }, load_balancing_weight: { value: 3 }, lb_endpoints: [socket('b')] })
    const cluster = parseConfig(text, 't.json', options).clusters[0]!
    expect(cluster.localityWeightedLb).toBeUndefined()
    expect(cluster.endpoints).toEqual([
      { address: 'a', port: 80, locality: { region: 'local', zone: 'zone-1', subZone: '' }, localityWeight: 1 },
      { address: 'b', port: 80, locality: { region: 'remote', zone: '', subZone: '' }, localityWeight: 3 },
    ])
  })

  test('Envoy: a locality weight of 0, an unknown Locality field and a non-empty LocalityWeightedLbConfig are errors at their paths', () => {
    const found = problems(envoy({ type: 'STRICT_DNS', common_lb_config: { locality_weighted_lb_config: { x: 1 } }, load_assignment: { cluster_name: 'c', endpoints: [{ locality: { town: 't' }, load_balancing_weight: 0, lb_endpoints: [socket('a')] }] } }), 't.json')
    expect(found).toContain('static_resources.clusters[0].load_assignment.endpoints[0].load_balancing_weight: expected weight 1-4294967295, got 0')
    expect(found.some((p) => p.startsWith('static_resources.clusters[0].load_assignment.endpoints[0].locality.town: '))).toBe(true)
    expect(found.some((p) => p.startsWith('static_resources.clusters[0].common_lb_config.locality_weighted_lb_config.x: '))).toBe(true)
  })

  test('ring_hash and maglev with locality_weighted_lb_config are refused at the flag, in both front ends', () => {
    expect(problems(compact('    lb_policy: ring_hash\n    common_lb_config: { locality_weighted_lb_config: {} }'), 't.yaml')).toEqual([
      'clusters[0].common_lb_config.locality_weighted_lb_config: not supported with lb_policy ring_hash by edgeway (round_robin, least_request and random only)',
    ])
    expect(problems(envoy({ lb_policy: 'MAGLEV', common_lb_config: { locality_weighted_lb_config: {} } }), 't.json')).toEqual([
      'static_resources.clusters[0].common_lb_config.locality_weighted_lb_config: not supported with lb_policy maglev by edgeway (round_robin, least_request and random only)',
    ])
  })

  test('back to Envoy: one LocalityLbEndpoints per priority, locality and weight, which loads back the same', () => {
    const text = localities(
      { locality: { region: 'local', zone: 'zone-1' }, load_balancing_weight: 1, lb_endpoints: [socket('a'), socket('b')] },
      { locality: { region: 'remote', sub_zone: 's' }, load_balancing_weight: 2, priority: 1, lb_endpoints: [socket('c')] },
    ).replace('"type":"STRICT_DNS"', '"type":"STRICT_DNS","common_lb_config":{"locality_weighted_lb_config":{}}')
    const config = parseConfig(text, 't.json', options)
    const out = modelToEnvoy(config).bootstrap as { static_resources: { clusters: { load_assignment: unknown; common_lb_config?: unknown }[] } }
    expect(out.static_resources.clusters[0]!.common_lb_config).toEqual({ locality_weighted_lb_config: {} })
    expect(out.static_resources.clusters[0]!.load_assignment).toEqual({
      cluster_name: 'c',
      endpoints: [
        { locality: { region: 'local', zone: 'zone-1' }, load_balancing_weight: 1, lb_endpoints: [socket('a'), socket('b')] },
        { locality: { region: 'remote', sub_zone: 's' }, load_balancing_weight: 2, priority: 1, lb_endpoints: [socket('c')] },
      ],
    })
    expect(parseConfig(JSON.stringify(out), 'again.json', options).clusters[0]!.endpoints).toEqual(config.clusters[0]!.endpoints)
  })
})
