// xxHash64 as Envoy's HashUtil::xxHash64 computes it over a string's UTF-8 bytes: the ring
// points, Maglev permutations and route hash_policy values are all xxHash64, so computing the very
// same function is what lets edgeway and Envoy send one key to one host. xxhash-wasm (WebAssembly,
// no native addon: the same on Bun and Deno) costs about 75 ns (Bun) / 165 ns (Deno) for a 20-byte
// key, against 1,000 / 600 ns for a BigInt transcription of the reference in TypeScript.

// Instantiating the WebAssembly module is asynchronous, and on Bun its code stays resident
// (~2 MiB): it loads only before a config that hashes is applied (src/lifecycle/config-engines.ts),
// so every caller (per request, and the ring and table builds) still hashes synchronously.
let h64: (text: string, seed?: bigint) => bigint = () => {
  throw new Error('xxHash64 is not loaded: await loadXxHash64() first')
}
let loaded: Promise<void> | undefined

export function loadXxHash64(): Promise<void> {
  loaded ??= import('xxhash-wasm').then(async (module) => void ({ h64 } = await module.default()))
  return loaded
}

/** xxHash64 of `text`'s UTF-8 bytes; `seed` as Envoy's second argument (Maglev's skip uses 1). */
export function xxHash64(text: string, seed = 0n): bigint {
  return h64(text, seed)
}
