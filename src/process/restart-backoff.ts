// The one restart policy for supervised processes (edgeway's workers, the local demo's processes):
// a process that dies quickly waits twice as long as the last time before it is started again,
// capped; one that ran healthy long enough is restarted at the initial delay again.

export type RestartPolicy = {
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  /** A process healthy this long is considered stable: its next crash restarts at the initial delay. */
  readonly stableAfterMs: number
}

/** One process's restart history under a policy. */
export class RestartBackoff {
  #quickDeaths = 0

  constructor(readonly policy: RestartPolicy) {}

  /** The delay before restarting a process that died after running healthy for `healthyMs`. */
  next(healthyMs: number): number {
    const { initialDelayMs, maxDelayMs, stableAfterMs } = this.policy
    if (healthyMs >= stableAfterMs) this.#quickDeaths = 0
    const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** this.#quickDeaths)
    this.#quickDeaths++
    return delayMs
  }
}
