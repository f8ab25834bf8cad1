// RING_HASH / MAGLEV settings in both front ends: Envoy's ring_hash_lb_config (minimum and
// maximum ring size, hash_function), maglev_lb_config.table_size (a prime, as Envoy insists) and
// common_lb_config.consistent_hashing_lb_config.use_hostname_for_hashing, onto the same model.

import { describe, expect, test } from 'bun:test'
import { loadConfig } from './load-config.ts'
import { compact, envoy, options, problems } from './one-cluster.fixture.ts'

describe('consistent hashing settings', () => {
  test('compact: ring sizes, hash_function and use_hostname_for_hashing reach the model', () => {
    const c = loadConfig(compact(`    lb_policy: ring_hash
    ring_hash_lb_config: { minimum_ring_size: 12, maximum_ring_size: 64, hash_function: MURMUR_HASH_2 }
    common_lb_config: { consistent_hashing_lb_config: { use_hostname_for_hashing: true } }`), 'c.yaml', options).config.clusters[0]!
    expect([c.ringHashMinimumRingSize, c.ringHashMaximumRingSize, c.ringHashFunction, c.useHostnameForHashing]).toEqual([12, 64, 'murmur_hash_2', true])
  })

  test('compact defaults are Envoy\'s: 1024, 8M, xxHash, address:port', () => {
    const c = loadConfig(compact('    lb_policy: ring_hash'), 'c.yaml', options).config.clusters[0]!
    expect([c.ringHashMinimumRingSize, c.ringHashMaximumRingSize, c.ringHashFunction, c.useHostnameForHashing, c.maglevTableSize]).toEqual([1024, 8_388_608, 'xx_hash', false, 65537])
  })

  test('Envoy bootstrap: the same fields, wrapped values and enum names as Envoy writes them', () => {
    const c = loadConfig(envoy({
      lb_policy: 'RING_HASH',
      ring_hash_lb_config: { minimum_ring_size: { value: 12 }, maximum_ring_size: 64, hash_function: 'MURMUR_HASH_2' },
      common_lb_config: { consistent_hashing_lb_config: { use_hostname_for_hashing: true } },
    }), 'envoy.json', options).config.clusters[0]!
    expect([c.ringHashMinimumRingSize, c.ringHashMaximumRingSize, c.ringHashFunction, c.useHostnameForHashing]).toEqual([12, 64, 'murmur_hash_2', true])
  })

  test('what Envoy refuses is refused: min > max ring size, a table size that is not prime, an unknown hash function', () => {
    expect(problems(compact(`    lb_policy: ring_hash
    ring_hash_lb_config: { minimum_ring_size: 20, maximum_ring_size: 10 }`), 'c.yaml')).toEqual(['clusters[0].ring_hash_lb_config: minimum_ring_size is larger than maximum_ring_size (Envoy refuses it)'])
    expect(problems(compact(`    lb_policy: maglev
    maglev_lb_config: { table_size: 8 }`), 'c.yaml')).toEqual(['clusters[0].maglev_lb_config.table_size: the table size of maglev must be a prime number'])
    expect(problems(envoy({ lb_policy: 'RING_HASH', ring_hash_lb_config: { hash_function: 'CITY_HASH' } }), 'envoy.json')).toEqual(['static_resources.clusters[0].ring_hash_lb_config.hash_function: expected one of XX_HASH | MURMUR_HASH_2, got "CITY_HASH"'])
  })

  test('the bounded-load factor is named as not supported', () => {
    const found = problems(envoy({ lb_policy: 'MAGLEV', common_lb_config: { healthy_panic_threshold: { value: 0 }, consistent_hashing_lb_config: { hash_balance_factor: 150 } } }), 'envoy.json')
    expect(found).toEqual(['static_resources.clusters[0].common_lb_config.consistent_hashing_lb_config.hash_balance_factor: not supported by edgeway'])
    expect(found).toContain('static_resources.clusters[0].common_lb_config.consistent_hashing_lb_config.hash_balance_factor: not supported by edgeway')
  })
})
