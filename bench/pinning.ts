// `--pin`: wrk, the upstream and the proxy on separate cores (taskset), so --concurrency scaling
// shows instead of the three fighting over the same cores. Needs ≥ 4 cores: one for wrk, one for
// the upstream, at least two for the proxy's workers.

export type Pinning = {
  readonly wrk: string
  readonly upstream: string
  /** taskset's list for the proxy under test, e.g. `2-7`. */
  readonly proxy: string
  /** The worker counts to compare (1, 2, 4, …, every proxy core), each beside nginx with as many workers. */
  readonly concurrencies: readonly number[]
}

export const MIN_PIN_CORES = 4

/** The plan for a machine with `cores` cores, or why there is none. */
export function planPinning(cores: number): Pinning | { readonly cannot: string } {
  if (cores < MIN_PIN_CORES) {
    return {
      cannot: `--pin needs at least ${MIN_PIN_CORES} cores (one for wrk, one for the upstream, two or more for the proxy's workers); this machine has ${cores}, so wrk, the upstream and the proxy would share cores and --concurrency scaling cannot be measured here`,
    }
  }
  const proxyCores = cores - 2
  const concurrencies = [...new Set([1, 2, 4, proxyCores].filter((n) => n <= proxyCores))].sort((a, b) => a - b)
  return { wrk: '0', upstream: '1', proxy: proxyCores === 1 ? '2' : `2-${cores - 1}`, concurrencies }
}

/** `command args` run on the given cores. */
export function pinned(cpus: string | undefined, command: string, args: readonly string[]): [string, string[]] {
  return cpus === undefined ? [command, [...args]] : ['taskset', ['-c', cpus, command, ...args]]
}
