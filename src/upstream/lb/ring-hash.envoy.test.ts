// Envoy's own expectations for RING_HASH, ported from
// test/extensions/load_balancing_policies/ring_hash/ring_hash_lb_test.cc: the same host lists and
// minimum_ring_size give the same 64-bit ring points and the same host for the same hash, which is
// what makes a key land on one host under Envoy and edgeway side by side.

import { describe, expect, test } from 'bun:test'
import { Endpoint } from '../endpoint.ts'
import { countingPanic, seededRandom } from './load-balancer.contract.ts'
import { buildRing, RingHashLoadBalancer, type RingHashOptions } from './ring-hash.ts'
import { loadXxHash64 } from './xxhash64.ts'

// xxHash64 loads on demand in edgeway (src/lifecycle/config-engines.ts); these tests hash directly.
await loadXxHash64()

const MAX = 0xffffffffffffffffn
const hosts = (ports: number[], hostnames = false) => ports.map((p) => new Endpoint('127.0.0.1', p, hostnames ? String(p) : ''))
const weightedHosts = (weights: number[]) => weights.map((w, i) => new Endpoint('127.0.0.1', 90 + i, '', w))
const options = (o: RingHashOptions): Required<RingHashOptions> => ({ minimumRingSize: 1024, maximumRingSize: 8_388_608, hashFunction: 'xx_hash', useHostnameForHashing: false, ...o })
const ringOf = (list: Endpoint[], o: RingHashOptions) => {
  const ring = buildRing(list, options(o))
  return [...ring.points].map((point, i) => [ring.owners[i]!.port, point] as const)
}

describe('ring hash as Envoy builds it', () => {
  test('Basic: six hosts, minimum_ring_size 12', () => {
    const list = hosts([90, 91, 92, 93, 94, 95])
    expect(ringOf(list, { minimumRingSize: 12 })).toEqual([
      [94, 833437586790550860n], [92, 928266305478181108n], [90, 1033482794131418490n], [95, 3551244743356806947n],
      [93, 3851675632748031481n], [91, 5583722120771150861n], [91, 6311230543546372928n], [93, 7700377290971790572n],
      [95, 13144177310400110813n], [92, 13444792449719432967n], [94, 15516499411664133160n], [90, 16117243373044804889n],
    ])
    const lb = new RingHashLoadBalancer(seededRandom(1), { minimumRingSize: 12 })
    const pick = (hash: bigint) => lb.pick(list, { nowMs: 0, hash })
    expect(pick(0n)).toBe(list[4]!)
    expect(pick(MAX)).toBe(list[4]!)
    expect(pick(3551244743356806947n)).toBe(list[5]!)
    expect(pick(3551244743356806948n)).toBe(list[3]!)
    // Envoy's test feeds this value as random(); here it is the hash, the lookup is the same.
    expect(pick(16117243373044804880n)).toBe(list[0]!)
  })

  test("Basic's panic half: healthy hosts cleared, the ring is built over all hosts and hash 0 goes to host 4, one lb_healthy_panic", () => {
    const list = hosts([90, 91, 92, 93, 94, 95])
    const panic = countingPanic(50)
    const lb = new RingHashLoadBalancer(seededRandom(1), { minimumRingSize: 12 }, panic)
    expect(lb.pick(list, { nowMs: 0, hash: 3551244743356806947n })).toBe(list[5]!)
    expect(panic.count).toBe(0)
    for (const e of list) e.failedActiveHc = true
    expect(lb.pick(list, { nowMs: 0, hash: 0n })).toBe(list[4]!)
    expect(panic.count).toBe(1)
  })

  test('BasicWithRetryHostPredicate: a retry moves on to the next point of the ring', () => {
    const list = hosts([90, 91, 92, 93, 94, 95])
    const lb = new RingHashLoadBalancer(seededRandom(1), 12)
    expect(lb.pick(list, { nowMs: 0, hash: 0n, exclude: new Set() })).toBe(list[4]!)
    expect(lb.pick(list, { nowMs: 0, hash: 0n, exclude: new Set([list[4]!]) })).toBe(list[2]!)
  })

  test('BasicWithHostname: use_hostname_for_hashing hashes the hostname', () => {
    const list = hosts([90, 91, 92, 93, 94, 95], true)
    expect(ringOf(list, { minimumRingSize: 12, useHostnameForHashing: true }).map(([, point]) => point)).toEqual([
      1975508444536362413n, 2376063919839173711n, 2386806903309390596n, 6749904478991551885n, 6803900775736438537n, 7225015537174310577n,
      8787465352164086522n, 11282020843382717940n, 13723418369486627818n, 13776502110861797421n, 14338313586354474791n, 15364271037087512980n,
    ])
    const lb = new RingHashLoadBalancer(seededRandom(1), { minimumRingSize: 12, useHostnameForHashing: true })
    const pick = (hash: bigint) => lb.pick(list, { nowMs: 0, hash })
    expect(pick(0n)).toBe(list[5]!)
    expect(pick(MAX)).toBe(list[5]!)
    expect(pick(7225015537174310577n)).toBe(list[2]!)
    expect(pick(6803900775736438537n)).toBe(list[3]!)
  })

  test('BasicWithMurmur2: hash_function MURMUR_HASH_2', () => {
    const list = hosts([80, 81, 82, 83, 84, 85])
    expect(ringOf(list, { minimumRingSize: 12, hashFunction: 'murmur_hash_2' })).toEqual([
      [85, 1358027074129602068n], [83, 4361834613929391114n], [84, 7224494972555149682n], [81, 7701421856454313576n],
      [82, 8649315368077433379n], [84, 8739448859063030639n], [81, 9887544217113020895n], [82, 10150910876324007731n],
      [83, 15168472011420622455n], [80, 15427156902705414897n], [85, 16375050414328759093n], [80, 17613279263364193813n],
    ])
    const lb = new RingHashLoadBalancer(seededRandom(1), { minimumRingSize: 12, hashFunction: 'murmur_hash_2' })
    const pick = (hash: bigint) => lb.pick(list, { nowMs: 0, hash })
    expect(pick(0n)).toBe(list[5]!)
    expect(pick(MAX)).toBe(list[5]!)
    expect(pick(1358027074129602068n)).toBe(list[5]!)
    expect(pick(1358027074129602069n)).toBe(list[3]!)
    expect(pick(10150910876324007730n)).toBe(list[2]!)
  })

  test('UnevenHosts: two hosts, minimum_ring_size 3 give two points each; a replaced host keeps the other\'s points', () => {
    expect(ringOf(hosts([80, 81]), { minimumRingSize: 3 })).toEqual([
      [80, 5454692015285649509n], [81, 7859399908942313493n], [80, 13838424394637650569n], [81, 16064866803292627174n],
    ])
    expect(ringOf(hosts([81, 82]), { minimumRingSize: 3 })).toEqual([
      [81, 7859399908942313493n], [82, 8241336090459785962n], [82, 12882406409176325258n], [81, 16064866803292627174n],
    ])
  })

  test('HostWeightedTinyRing: weights 1, 2, 3 on a ring of exactly 6 give 1, 2 and 3 points', () => {
    const list = weightedHosts([1, 2, 3])
    const ring = buildRing(list, options({ minimumRingSize: 6, maximumRingSize: 6 }))
    expect(ring.owners.map((o) => o.port).sort()).toEqual([90, 91, 91, 92, 92, 92])
    const lb = new RingHashLoadBalancer(seededRandom(1), { minimumRingSize: 6, maximumRingSize: 6 })
    const expected: [bigint, number][] = [
      [928266305478181108n, 2], [4443673547860492590n, 2], [5583722120771150861n, 1],
      [6311230543546372928n, 1], [13444792449719432967n, 2], [16117243373044804889n, 0],
    ]
    for (const [hash, host] of expected) expect(lb.pick(list, { nowMs: 0, hash })).toBe(list[host]!)
  })

  test('HostWeightedLargeRing: weights 1, 2, 3 on 6144 points take 987, 1932 and 3081 of 6000 spread hashes', () => {
    const list = weightedHosts([1, 2, 3])
    const ring = buildRing(list, options({ minimumRingSize: 6144 }))
    expect(ring.points.length).toBe(6144)
    const perHost = [90, 91, 92].map((port) => ring.owners.filter((o) => o.port === port).length)
    expect(perHost).toEqual([1024, 2048, 3072])
    const lb = new RingHashLoadBalancer(seededRandom(1), { minimumRingSize: 6144 })
    const counts = [0, 0, 0]
    for (let i = 0n; i < 6000n; i++) counts[lb.pick(list, { nowMs: 0, hash: (i * (MAX / 6000n)) & MAX })!.port - 90]!++
    expect(counts).toEqual([987, 1932, 3081])
  })

  test('maximum_ring_size caps the points (Envoy scales back down to fit)', () => {
    expect(ringOf(hosts([90, 91, 92, 93]), { minimumRingSize: 6, maximumRingSize: 6 }).length).toBe(6)
  })

  test('an unhealthy endpoint leaves the ring, and the ring is rebuilt from the healthy ones as Envoy does', () => {
    const list = hosts([90, 91, 92, 93, 94, 95])
    list[4]!.failedActiveHc = true
    const lb = new RingHashLoadBalancer(seededRandom(1), 12)
    const healthy = list.filter((e) => e !== list[4])
    const ring = buildRing(healthy, options({ minimumRingSize: 12 }))
    expect(ring.points.length).toBe(15) // ceil(12 / 5) * 5: Envoy's scale for five hosts
    expect(lb.pick(list, { nowMs: 0, hash: 0n })).toBe(ring.owners[0]!)
  })
})
