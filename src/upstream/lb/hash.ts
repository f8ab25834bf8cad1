// What the consistent-hash balancers and route hash policies share: Envoy's hashes are 64-bit
// xxHash64 values (bigint here, so no bit is lost between the route and the balancer).

import type { Endpoint } from '../endpoint.ts'

export { xxHash64 } from './xxhash64.ts'

const MASK = 0xffffffffffffffffn

/**
 * Envoy's HashPolicyImpl::generateHash folding one more policy's value in: rotate the running
 * hash left by one (so two equal policies do not cancel out), then xor.
 */
export function combineHashes(running: bigint, next: bigint): bigint {
  return (((running << 1n) | (running >> 63n)) & MASK) ^ next
}

/** A 64-bit random hash from a [0, 1) source: a request without a hash value (Envoy's random()). */
export function randomHash(random: () => number): bigint {
  return BigInt(Math.floor(random() * 2 ** 53)) << 11n
}

/**
 * Envoy's hashKey(): the endpoint's `address:port` (IPv6 in brackets), or with
 * use_hostname_for_hashing its hostname (the DNS name it came from). A static endpoint has no
 * hostname here; it falls back to the address rather than hashing '' for every endpoint.
 */
export function endpointHashKey(endpoint: Endpoint, useHostname: boolean): string {
  return useHostname && endpoint.hostname ? endpoint.hostname : endpoint.key
}
