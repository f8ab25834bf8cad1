// The panic threshold in both front ends: compact common_lb_config.healthy_panic_threshold (a
// percentage) and Envoy's common_lb_config.healthy_panic_threshold ({ value: N }, a Percent),
// onto the model's healthyPanicThreshold (default 50, Envoy's), and back out in config_dump.

import { describe, expect, test } from 'bun:test'
import { clusterToEnvoy } from './envoy/from-model-cluster.ts'
import { loadConfig } from './load-config.ts'
import { compact, envoy, options, problems } from './one-cluster.fixture.ts'

describe('healthy_panic_threshold', () => {
  test("absent: Envoy's 50 %", () => {
    expect(loadConfig(compact('    lb_policy: round_robin'), 'c.yaml', options).config.clusters[0]!.healthyPanicThreshold).toBe(50)
    expect(loadConfig(envoy({}), 'e.json', options).config.clusters[0]!.healthyPanicThreshold).toBe(50)
  })

  test('compact: a percentage, 0 disables panic; a fraction keeps its whole part as Envoy does', () => {
    expect(loadConfig(compact('    common_lb_config: { healthy_panic_threshold: 0 }'), 'c.yaml', options).config.clusters[0]!.healthyPanicThreshold).toBe(0)
    expect(loadConfig(compact('    common_lb_config: { healthy_panic_threshold: 100 }'), 'c.yaml', options).config.clusters[0]!.healthyPanicThreshold).toBe(100)
    expect(loadConfig(compact('    common_lb_config: { healthy_panic_threshold: 33.9 }'), 'c.yaml', options).config.clusters[0]!.healthyPanicThreshold).toBe(33)
  })

  test("Envoy: the Percent's value, beside consistent_hashing_lb_config", () => {
    const c = loadConfig(envoy({ lb_policy: 'RING_HASH', common_lb_config: { healthy_panic_threshold: { value: 25 }, consistent_hashing_lb_config: { use_hostname_for_hashing: true } } }), 'e.json', options).config.clusters[0]!
    expect(c.healthyPanicThreshold).toBe(25)
    expect(c.useHostnameForHashing).toBe(true)
  })

  test('out of 0-100 or not a number: an error with its path, in both front ends', () => {
    expect(problems(compact('    common_lb_config: { healthy_panic_threshold: 150 }'), 'c.yaml')).toEqual([expect.stringMatching(/^clusters\[0\]\.common_lb_config\.healthy_panic_threshold: /)])
    expect(problems(compact('    common_lb_config: { healthy_panic_threshold: "half" }'), 'c.yaml')).toEqual(['clusters[0].common_lb_config.healthy_panic_threshold: expected a percentage 0-100, got "half"'])
    expect(problems(envoy({ common_lb_config: { healthy_panic_threshold: { value: -1 } } }), 'e.json')).toEqual([expect.stringMatching(/^static_resources\.clusters\[0\]\.common_lb_config\.healthy_panic_threshold(\.value)?: /)])
  })

  test('config_dump writes a threshold other than the default back as a Percent', () => {
    const set = loadConfig(compact('    common_lb_config: { healthy_panic_threshold: 0 }'), 'c.yaml', options).config.clusters[0]!
    expect(clusterToEnvoy(set).common_lb_config).toEqual({ healthy_panic_threshold: { value: 0 } })
    const unset = loadConfig(compact('    lb_policy: round_robin'), 'c.yaml', options).config.clusters[0]!
    expect(clusterToEnvoy(unset).common_lb_config).toBeUndefined()
  })
})
