// Envoy's MurmurHash::murmurHash2 (libstdc++'s 64-bit _Hash_bytes, seed STD_HASH_SEED): the ring
// points of a RING_HASH cluster with `hash_function: MURMUR_HASH_2`, kept for users whose rings
// must match an older deployment's. Request hashes stay xxHash64, as in Envoy.

const MASK = 0xffffffffffffffffn
const MUL = 0xc6a4a7935bd1e995n
const STD_HASH_SEED = 0xc70f6907n
const encoder = new TextEncoder()

export function murmurHash2(text: string, seed = STD_HASH_SEED): bigint {
  const bytes = encoder.encode(text)
  const len = bytes.length
  const aligned = len & ~7
  let hash = (seed ^ ((BigInt(len) * MUL) & MASK)) & MASK
  for (let p = 0; p < aligned; p += 8) {
    const data = (shiftMix((load(bytes, p, 8) * MUL) & MASK) * MUL) & MASK
    hash = ((hash ^ data) * MUL) & MASK
  }
  if ((len & 7) !== 0) hash = ((hash ^ load(bytes, aligned, len & 7)) * MUL) & MASK
  hash = (shiftMix(hash) * MUL) & MASK
  return shiftMix(hash)
}

function shiftMix(v: bigint): bigint {
  return v ^ (v >> 47n)
}

/** `n` bytes from `p`, little-endian (Envoy's unalignedLoad and loadBytes on x86-64). */
function load(bytes: Uint8Array, p: number, n: number): bigint {
  let result = 0n
  for (let i = n - 1; i >= 0; i--) result = (result << 8n) | BigInt(bytes[p + i]!)
  return result
}
