// common_lb_config.ignore_new_hosts_until_first_hc in both front ends (a bool in each, Envoy's
// is a plain proto bool), onto the model's ignoreNewHostsUntilFirstHc (default false), and back
// out in config_dump.

import { describe, expect, test } from 'bun:test'
import { clusterToEnvoy } from './envoy/from-model-cluster.ts'
import { loadConfig } from './load-config.ts'
import { compact, envoy, options, problems } from './one-cluster.fixture.ts'

describe('ignore_new_hosts_until_first_hc', () => {
  test('absent: false, as in Envoy', () => {
    expect(loadConfig(compact('    lb_policy: round_robin'), 'c.yaml', options).config.clusters[0]!.ignoreNewHostsUntilFirstHc).toBe(false)
    expect(loadConfig(envoy({}), 'e.json', options).config.clusters[0]!.ignoreNewHostsUntilFirstHc).toBe(false)
  })

  test('compact and Envoy: true reaches the model, beside the panic threshold', () => {
    const c = loadConfig(compact('    common_lb_config: { ignore_new_hosts_until_first_hc: true, healthy_panic_threshold: 30 }'), 'c.yaml', options).config.clusters[0]!
    expect(c.ignoreNewHostsUntilFirstHc).toBe(true)
    expect(c.healthyPanicThreshold).toBe(30)
    const e = loadConfig(envoy({ common_lb_config: { ignore_new_hosts_until_first_hc: true, healthy_panic_threshold: { value: 30 } } }), 'e.json', options).config.clusters[0]!
    expect(e.ignoreNewHostsUntilFirstHc).toBe(true)
    expect(e.healthyPanicThreshold).toBe(30)
    expect(loadConfig(envoy({ common_lb_config: { ignore_new_hosts_until_first_hc: false } }), 'e.json', options).config.clusters[0]!.ignoreNewHostsUntilFirstHc).toBe(false)
  })

  test('not a boolean: an error with its path, in both front ends', () => {
    expect(problems(compact('    common_lb_config: { ignore_new_hosts_until_first_hc: "yes" }'), 'c.yaml')).toEqual(['clusters[0].common_lb_config.ignore_new_hosts_until_first_hc: expected boolean, got "yes"'])
    expect(problems(envoy({ common_lb_config: { ignore_new_hosts_until_first_hc: 1 } }), 'e.json')).toEqual(['static_resources.clusters[0].common_lb_config.ignore_new_hosts_until_first_hc: expected boolean, got 1'])
  })

  test('config_dump writes it back only when set', () => {
    const set = loadConfig(compact('    common_lb_config: { ignore_new_hosts_until_first_hc: true }'), 'c.yaml', options).config.clusters[0]!
    expect(clusterToEnvoy(set).common_lb_config).toEqual({ ignore_new_hosts_until_first_hc: true })
    const unset = loadConfig(compact('    lb_policy: round_robin'), 'c.yaml', options).config.clusters[0]!
    expect(clusterToEnvoy(unset).common_lb_config).toBeUndefined()
  })
})
