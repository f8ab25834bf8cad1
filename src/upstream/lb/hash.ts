// A 32-bit string hash for the consistent-hash balancers and route hash policies (FNV-1a over the
// UTF-16 code units, murmur3's avalanche so nearby keys land far apart; Envoy uses xxHash64, so
// a key may map to another endpoint than under Envoy, but always to the same one), and helpers.

export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Envoy's combination of several hash policies' values: rotate the running hash, then xor. */
export function combineHashes(running: number, next: number): number {
  return (((running << 1) | (running >>> 31)) ^ next) >>> 0
}

/** Same endpoint objects in the same order: a balancer's table built from `b` still fits `a`. */
export function sameEndpoints<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
